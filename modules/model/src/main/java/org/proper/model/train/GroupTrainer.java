package org.proper.model.train;

import java.util.List;
import java.util.Map;

import org.proper.model.graph.Batch;
import org.proper.model.graph.Batches;
import org.proper.model.graph.GraphCache;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.GroupOptions;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;

/**
 * Group stage of DESIGN §2 over the population-merged, frozen base: (a) warm start = one LoRA per hard cluster
 * ({@link #warmStart}); (b) joint refinement of experts and router ({@link #trainJoint}) with
 * loss = CE + λ_div·diversity + λ_bal·balance, from given parameters for N local steps (the local-SGD primitive;
 * average results with {@link GroupExperts#average}).
 */
public final class GroupTrainer {
    private GroupTrainer() {
    }

    /** Trains expert k's LoRA on its own cluster's examples (one Spark task per group). */
    public static TrainResult<LoraAdapter> warmStart(BaseModel mergedBase, LoraSpec spec, List<Example> clusterExamples,
                                                     TrainOptions options) {
        return LoraTrainer.train(mergedBase, LoraAdapter.init(spec, mergedBase, options.seed()), clusterExamples, options);
    }

    public static TrainResult<GroupExperts> trainJoint(BaseModel mergedBase, GroupExperts start, List<Example> train,
                                                       Map<String, float[]> userEmbeddings, GroupOptions group,
                                                       TrainOptions options) {
        return trainJoint(mergedBase, start, train, List.of(), userEmbeddings, group, options);
    }

    public static TrainResult<GroupExperts> trainJoint(BaseModel mergedBase, GroupExperts start, List<Example> train,
                                                       List<Example> dev, Map<String, float[]> userEmbeddings,
                                                       GroupOptions group, TrainOptions options) {
        if (train.isEmpty()) throw new IllegalArgumentException("Cannot train group experts: no training examples");
        int t = Batches.seqLen(mergedBase.config(), train, dev);
        GraphSpec spec = new GraphSpec(false, null, false, start, true, group.hardRouting(), group.lambdaDiv(),
                group.lambdaBal(), null, false, false);
        ModelGraph g = GraphCache.get(mergedBase, spec, options.dataType(), t, Batches.window(t, train, dev));
        EpochSampler sampler = new EpochSampler(train.size(), options.seed());
        List<Batch> devBatches = Batches.chunks(dev, Math.max(options.batchSize(), 16), t, userEmbeddings, start);
        TrainLoop.Outcome out = TrainLoop.run(g,
                step -> Batches.of(EpochSampler.pick(train, sampler.next(options.batchSize())), t, userEmbeddings, start),
                devBatches, options, null);
        return new TrainResult<>(g.readExperts(), out.loss(), out.devLoss(), out.steps());
    }
}
