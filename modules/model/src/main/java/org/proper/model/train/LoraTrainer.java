package org.proper.model.train;

import java.util.List;

import org.proper.model.graph.Batch;
import org.proper.model.graph.Batches;
import org.proper.model.graph.GraphCache;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.method.LoraAdapter;

/**
 * Trains one LoRA over a frozen base (population stage; group warm start on one cluster). The primitive for
 * synchronous local SGD: continue from {@code start} for {@code options.steps()} steps on these examples with
 * {@code options.seed()}; average the returned adapters with {@link LoraAdapter#average}.
 */
public final class LoraTrainer {
    private LoraTrainer() {
    }

    /**
     * Drops this thread's cached training graphs (of every trainer). Trainers reuse a thread's graph when called again
     * with the same base object and adapter structure; call this at the end of a Spark task to free them early.
     */
    public static void releaseGraphs() {
        GraphCache.clear();
    }

    /**
     * Frees the native arrays this thread's cached training graphs keep for their next step (one step's working set
     * per graph) and keeps the graphs. Call at the end of a Spark task that trained, so that an idle executor thread
     * holds no training memory while the next task on it still skips graph construction.
     */
    public static void releaseArrays() {
        GraphCache.releaseArrays();
    }

    /**
     * The positions per row that the trainers' graphs run their top layer on for these examples at seqLen: the longest
     * answer, rounded up to a multiple of 8 (see ModelGraph).
     */
    public static int topLayerWindow(List<Example> examples, int seqLen) {
        return Batch.windowFor(examples, seqLen);
    }

    public static TrainResult<LoraAdapter> train(BaseModel base, LoraAdapter start, List<Example> train, TrainOptions options) {
        return train(base, start, train, List.of(), options);
    }

    public static TrainResult<LoraAdapter> train(BaseModel base, LoraAdapter start, List<Example> train, List<Example> dev,
                                                 TrainOptions options) {
        if (train.isEmpty()) throw new IllegalArgumentException("Cannot train LoRA: no training examples");
        int t = Batches.seqLen(base.config(), train, dev);
        GraphSpec spec = new GraphSpec(false, start, true, null, false, false, 0, 0, null, false, false);
        ModelGraph g = GraphCache.get(base, spec, options.dataType(), t, Batches.window(t, train, dev));
        EpochSampler sampler = new EpochSampler(train.size(), options.seed());
        List<Batch> devBatches = Batches.chunks(dev, Math.max(options.batchSize(), 16), t, null, null);
        TrainLoop.Outcome out = TrainLoop.run(g,
                step -> Batches.of(EpochSampler.pick(train, sampler.next(options.batchSize())), t, null, null),
                devBatches, options, null);
        return new TrainResult<>(g.readShared(), out.loss(), out.devLoss(), out.steps());
    }
}
