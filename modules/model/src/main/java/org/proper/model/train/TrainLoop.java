package org.proper.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.graph.Batch;
import org.proper.model.graph.ModelGraph;

/**
 * The one optimisation loop every trainer uses: gradients of the graph's loss, clipping, Adam(W) with the schedule,
 * dev-loss early stopping (restoring the best parameters).
 */
final class TrainLoop {
    interface StepListener {
        void onStep(int step, Batch batch, Map<String, INDArray> outputs);
    }

    record Outcome(List<Double> loss, List<Double> devLoss, int steps) {
    }

    /**
     * Ask for a GC every this many steps (-Dproper.gcEverySteps; 0 = never, the default). Not needed for memory: a
     * step's arrays are reused by the next step ({@link org.proper.model.kernel.StepArrays}) and the optimizer updates in place, so nothing
     * of a step waits for the collector (it did before: ~150 MB of off-heap garbage per step of the default model).
     */
    static final int GC_EVERY = Integer.getInteger("proper.gcEverySteps", 0);

    private TrainLoop() {
    }

    static void maybeGc(int step) {
        if (GC_EVERY > 0 && step % GC_EVERY == 0) System.gc();
    }

    /** Early stopping, asked after every {@code evalEvery}-th step. */
    interface DevCheck {
        /** Evaluates the dev loss of the graph's current parameters; true when training should stop. */
        boolean stopAfterEval(ModelGraph g);

        /** Puts the best parameters seen back into the graph (nothing when stopping is off). */
        void restoreBest(ModelGraph g);
    }

    static Outcome run(ModelGraph g, IntFunction<Batch> batches, List<Batch> dev, TrainOptions o, StepListener listener) {
        WholeGraphCheck check = dev == null || dev.isEmpty() ? null : new WholeGraphCheck(dev, o.patience());
        Outcome out = run(g, batches, check, o, listener);
        return check == null ? out : new Outcome(out.loss(), check.devLoss, out.steps());
    }

    /** The loop. The outcome's dev losses are empty: the {@link DevCheck} keeps its own. */
    static Outcome run(ModelGraph g, IntFunction<Batch> batches, DevCheck dev, TrainOptions o, StepListener listener) {
        AdamW opt = new AdamW(o);
        List<Double> loss = new ArrayList<>();
        int done = 0;
        List<String> outs = listener == null ? List.of(ModelGraph.CE) : List.of(ModelGraph.CE, ModelGraph.TOKEN_LOSS);
        for (int i = 0; i < o.steps(); i++) {
            Batch b = batches.apply(i);
            OutAndGrad r = g.sd().calculateGradientsAndOutputs(g.feed(b), outs, g.trainable());
            loss.add(r.getOutputs().get(ModelGraph.CE).getDouble(0));
            if (listener != null) listener.onStep(i, b, r.getOutputs());
            Map<String, INDArray> grads = r.getGradients();
            AdamW.clip(grads, g.stacked(), o.clipNorm());
            opt.step(g, grads, o.lrAt(o.firstStep() + i));
            done++;
            maybeGc(done);
            if (dev != null && (i + 1) % o.evalEvery() == 0 && dev.stopAfterEval(g)) break;
        }
        if (dev != null) dev.restoreBest(g);
        return new Outcome(loss, List.of(), done);
    }

    /** One dev loss for the whole graph (mean answer-token CE over the dev batches) and one patience. */
    private static final class WholeGraphCheck implements DevCheck {
        private final List<Batch> dev;
        private final Patience patience;
        private final List<Double> devLoss = new ArrayList<>();
        private Map<String, INDArray> best;

        WholeGraphCheck(List<Batch> dev, int patience) {
            this.dev = dev;
            this.patience = new Patience(patience);
        }

        @Override
        public boolean stopAfterEval(ModelGraph g) {
            double dl = meanLoss(g, dev);
            devLoss.add(dl);
            if (patience.improved(dl)) {
                if (patience.keepsBest()) best = g.snapshot();
                return false;
            }
            return patience.exhausted();
        }

        @Override
        public void restoreBest(ModelGraph g) {
            if (best != null) g.restore(best);
        }
    }

    /** Mean answer-token cross-entropy over batches built with one weighting group each. */
    static double meanLoss(ModelGraph g, List<Batch> batches) {
        double sum = 0, n = 0;
        for (Batch b : batches) {
            if (b.answerTokens() == 0) continue;
            double ce = g.sd().output(g.feed(b), ModelGraph.CE).get(ModelGraph.CE).getDouble(0);
            sum += ce * b.answerTokens();
            n += b.answerTokens();
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
