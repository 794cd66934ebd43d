package org.proper.pipeline.stages;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.train.GroupTrainer;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.TrainResult;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.cluster.ClusterSummary;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.gpu.GpuBinding;
import org.proper.pipeline.incremental.IncrementalPlan;
import org.proper.pipeline.incremental.ParentArtifacts;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.train.AdapterRecords;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.LocalSgd;
import org.proper.pipeline.train.ModelSettings;
import org.proper.pipeline.train.ParamVector;
import org.proper.pipeline.train.TrainingData.Row3;
import org.proper.pipeline.train.TrainingData;

import scala.Tuple2;

/**
 * train-groups (DESIGN §2, §4): K LoRA experts behind the user-aware router, on the population-merged frozen base.
 * (a) warm start: expert k trained on its own hard cluster, one Spark task per group, all groups in parallel;
 * (b) joint refinement: router (centroids from MLlib, v = 0) and experts together by synchronous local SGD.
 */
public final class GroupStage implements Stage {
    public static final String EXPERTS = "experts";

    @Override
    public StageName name() {
        return StageName.TRAIN_GROUPS;
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        ModelSettings s = ModelSettings.from(ctx.config());
        Map<String, Object> summary = new LinkedHashMap<>();
        if (!s.groupLevel()) {
            summary.put("skipped", "proper.ablation.group-level = false (OPPU: population -> user)");
            return summary;
        }
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        IncrementalPlan plan = IncrementalPlan.load(ctx);
        if (plan.reusesGroups()) {
            ParentArtifacts parent = ParentArtifacts.of(ctx, plan);
            parent.copyArtifacts(EXPERTS);
            parent.copyAdapters(AdapterRecords.GROUP, s.shards(), AdapterRecords.GROUP, AdapterRecords.ROUTER);
            summary.put("reused_from", plan.parentRunId());
            summary.put("reason", plan.groups().reason());
            summary.put("k", store.get(EXPERTS, GroupExperts.class).k());
            return summary;
        }
        BaseModel merged = store.get(PopulationStage.MERGED, BaseModel.class);
        ClusterSummary clusters = store.get(ClusterStage.SUMMARY_ARTIFACT, ClusterSummary.class);
        int k = clusters.k();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
        Broadcast<BaseModel> bBase = jsc.broadcast(merged);

        JavaPairRDD<String, Row3> rows = TrainingData.examplesWithGroups(ctx, s.encoder(TaskSpecs.ofRun(ctx))).persist(StorageLevel.MEMORY_AND_DISK());

        // (a) warm start: one task per group, on a seeded sample bounded by what its steps can use
        ctx.spark().sparkContext().setJobDescription("Training group experts: warm start, " + k + " groups in parallel");
        Map<Integer, Long> perGroup = new TreeMap<>(rows.mapToPair(t -> new Tuple2<>(t._2().group(), 1L)).countByKey());
        int cap = Math.max(64, s.warmStartSteps() * s.base().batchSize() * 2);
        Map<Integer, Double> fraction = new HashMap<>();
        perGroup.forEach((g, n) -> fraction.put(g, Math.min(1.0, cap / (double) n)));
        TrainOptions warm = s.base().withSteps(s.warmStartSteps()).withLr(s.groupLr());
        long seed = s.seed();
        List<Tuple2<Integer, LoraAdapter>> warmed = rows
                .filter(t -> TrainingData.unitHash(t._1(), seed) < fraction.getOrDefault(t._2().group(), 1.0))
                .mapToPair(t -> new Tuple2<>(t._2().group(), new Tuple2<>(t._1(), t._2().example())))
                .partitionBy(new HashPartitioner(k))
                .mapPartitionsWithIndex((pid, it) -> {
                    GpuBinding.bindCurrentTask();
                    List<Tuple2<String, Example>> keyed = new ArrayList<>();
                    it.forEachRemaining(t -> keyed.add(t._2()));
                    if (keyed.isEmpty()) return java.util.Collections.<Tuple2<Integer, LoraAdapter>>emptyIterator();
                    keyed.sort((a, b) -> a._1().compareTo(b._1()));
                    List<Example> ex = new ArrayList<>();
                    for (Tuple2<String, Example> t : keyed) ex.add(t._2());
                    TrainResult<LoraAdapter> r = GroupTrainer.warmStart(bBase.value(), s.populationLora(), ex,
                            warm.withSeed(seed + 7919L * (pid + 1)));
                    LoraTrainer.releaseArrays();
                    return List.of(new Tuple2<>(pid, r.params())).iterator();
                }, true).collect();
        GroupExperts init = GroupExperts.init(s.populationLora(), merged.config(), clusters.centroids(), s.tau(), seed);
        List<LoraAdapter> experts = new ArrayList<>(init.experts());
        for (Tuple2<Integer, LoraAdapter> w : warmed) experts.set(w._1(), w._2());
        GroupExperts current = GroupExperts.of(experts, clusters.centroids(), s.tau());

        // (b) joint refinement of router + experts by local SGD
        int partitions = Math.max(1, jsc.defaultParallelism());
        JavaRDD<Row3> joint = rows.partitionBy(new HashPartitioner(partitions))
                .mapPartitions(it -> TrainingData.sortedValues(it).iterator(), true).persist(StorageLevel.MEMORY_AND_DISK());
        rows.unpersist();
        int rounds = s.jointRounds(), local = s.jointLocalSteps();
        List<Double> loss = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            ctx.spark().sparkContext().setJobDescription("Training group experts and router: joint round " + (r + 1) + "/" + rounds);
            Broadcast<GroupExperts> bExperts = jsc.broadcast(current);
            TrainOptions o = s.base().withSteps(local).withLr(s.groupLr()).withScheduleWindow(r * local, rounds * local)
                    .withSeed(seed + 31L * (r + 1));
            LocalSgd.Partial p = LocalSgd.round(joint, (pid, part) -> {
                Map<String, float[]> emb = new HashMap<>();
                List<Example> ex = new ArrayList<>(part.size());
                for (Row3 row : part) {
                    emb.putIfAbsent(row.example().userId(), row.embedding());
                    ex.add(row.example());
                }
                TrainResult<GroupExperts> t = GroupTrainer.trainJoint(bBase.value(), bExperts.value(), ex, emb, s.group(),
                        o.withSeed(o.seed() + pid));
                LoraTrainer.releaseArrays();
                return new LocalSgd.Partial(ParamVector.of(t.params(), ex.size()),
                        t.loss().stream().mapToDouble(Double::doubleValue).sum(), t.loss().size());
            }, 2);
            current = p.params().mean().toGroup(current);
            loss.add(p.meanLoss());
            LocalSgdLog.round("Group experts + router", r, rounds, p.meanLoss(), t0);
            bExperts.destroy();
        }
        joint.unpersist();
        bBase.destroy();

        store.put(EXPERTS, current);
        AdapterTableWriter writer = new AdapterTableWriter(ctx.spark(), ctx.layout(), AdapterWriteOptions.shards(s.shards()));
        writer.write(AdapterRecords.ofGroups(current), AdapterRecords.GROUP);
        summary.put("k", k);
        summary.put("examples_per_group", perGroup);
        summary.put("warm_start_steps", s.warmStartSteps());
        summary.put("joint_rounds", rounds);
        summary.put("loss", loss);
        summary.put("hard_routing", s.group().hardRouting());
        summary.put("lambda_diversity", s.group().lambdaDiv());
        return summary;
    }
}
