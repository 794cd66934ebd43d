package org.proper.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

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
     * ND4J frees an op's off-heap output only when its Java object is garbage collected; a training step allocates far
     * more off-heap memory than heap, so without a GC the process grows by ~150 MB per step of the default model.
     * Every this many steps the loop asks for a GC. Set -Dproper.gcEverySteps=0 to disable.
     */
    static final int GC_EVERY = Integer.getInteger("proper.gcEverySteps", 1);

    private TrainLoop() {
    }

    static void maybeGc(int step) {
        if (GC_EVERY > 0 && step % GC_EVERY == 0) System.gc();
    }

    static Outcome run(ModelGraph g, IntFunction<Batch> batches, List<Batch> dev, TrainOptions o, StepListener listener) {
        AdamW opt = new AdamW(o);
        List<Double> loss = new ArrayList<>(), devLoss = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        Map<String, INDArray> bestParams = null;
        int bad = 0, done = 0;
        List<String> outs = listener == null ? List.of(ModelGraph.CE) : List.of(ModelGraph.CE, ModelGraph.TOKEN_LOSS);
        for (int i = 0; i < o.steps(); i++) {
            Batch b = batches.apply(i);
            OutAndGrad r = g.sd.calculateGradientsAndOutputs(g.feed(b), outs, g.trainable);
            loss.add(r.getOutputs().get(ModelGraph.CE).getDouble(0));
            if (listener != null) listener.onStep(i, b, r.getOutputs());
            Map<String, INDArray> grads = r.getGradients();
            AdamW.clip(grads, g.stacked, o.clipNorm());
            opt.step(g, grads, o.lrAt(o.firstStep() + i));
            done++;
            maybeGc(done);
            if (dev != null && !dev.isEmpty() && (i + 1) % o.evalEvery() == 0) {
                double dl = meanLoss(g, dev);
                devLoss.add(dl);
                if (dl < best) {
                    best = dl;
                    bad = 0;
                    if (o.patience() > 0) bestParams = g.snapshot();
                } else if (o.patience() > 0 && ++bad >= o.patience()) {
                    break;
                }
            }
        }
        if (bestParams != null) g.restore(bestParams);
        return new Outcome(loss, devLoss, done);
    }

    /** Mean answer-token cross-entropy over batches built with one weighting group each. */
    static double meanLoss(ModelGraph g, List<Batch> batches) {
        double sum = 0, n = 0;
        for (Batch b : batches) {
            if (b.answerTokens == 0) continue;
            double ce = g.sd.output(g.feed(b), ModelGraph.CE).get(ModelGraph.CE).getDouble(0);
            sum += ce * b.answerTokens;
            n += b.answerTokens;
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
