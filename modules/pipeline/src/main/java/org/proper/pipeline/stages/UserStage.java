package org.proper.pipeline.stages;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.DoubleAccumulator;
import org.proper.model.BaseModel;
import org.proper.model.Example;
import org.proper.model.GroupExperts;
import org.proper.model.TrainOptions;
import org.proper.model.UserData;
import org.proper.model.UserOptions;
import org.proper.model.UserTrainer;
import org.proper.pipeline.FaultInjection;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.io.AdapterShards;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.StageMarkers;
import org.proper.pipeline.train.AdapterRecords;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.ModelSettings;
import org.proper.pipeline.train.TrainingData;
import org.proper.pipeline.train.TrainingData.Row3;
import org.proper.pipeline.gpu.GpuBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import scala.Tuple2;

/**
 * train-users (DESIGN §2, §4): one small LoRA per user (plus its LoRA-aware router R_u) over the frozen merged base,
 * experts and router. Users are hashed into shards; each shard is one Spark job whose tasks train many users at once
 * in one batched graph and whose adapters are committed before the shard is marked done, so an interrupted stage
 * resumes at the first uncommitted shard. Users with fewer training items than proper.train.users.min-history get
 * no user LoRA: they are served by population + router-mixed group experts (cold start).
 */
public final class UserStage implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(UserStage.class);

    @Override
    public StageName name() {
        return StageName.TRAIN_USERS;
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        ModelSettings s = ModelSettings.from(ctx.config());
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        BaseModel merged = store.get(PopulationStage.MERGED, BaseModel.class);
        GroupExperts experts = s.groupLevel() ? store.get(GroupStage.EXPERTS, GroupExperts.class) : null;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
        Broadcast<BaseModel> bBase = jsc.broadcast(merged);
        Broadcast<GroupExperts> bExperts = jsc.broadcast(experts);
        int shards = s.shards(), minHistory = s.userMinHistory(), perBatch = s.usersPerBatch();
        UserOptions uo = s.userOptions();
        TrainOptions o = s.userTrainOptions();

        int partitions = Math.max(1, jsc.defaultParallelism());
        JavaPairRDD<String, UserData> users = TrainingData.examplesWithGroups(ctx, s.encoder(TaskSpecs.ofRun(ctx)))
                .mapToPair(t -> new Tuple2<>(t._2().example().userId(), new Tuple2<>(t._1(), t._2())))
                .groupByKey(new HashPartitioner(partitions))
                .mapValues(UserStage::userData)
                .filter(u -> u._2().train().size() >= minHistory)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Map<Integer, Long> usersPerShard = new java.util.TreeMap<>(
                users.keys().map(u -> AdapterShards.shardOf(u, shards)).countByValue());
        long total = usersPerShard.values().stream().mapToLong(Long::longValue).sum();

        StageMarkers markers = ctx.markers();
        String stage = name().cliName();
        AdapterTableWriter writer = new AdapterTableWriter(ctx.spark(), ctx.layout(), AdapterWriteOptions.shards(shards));
        DoubleAccumulator lossSum = jsc.sc().doubleAccumulator("user final loss");
        long done = 0, trainedNow = 0, skipped = 0;
        int committedNow = 0;
        long t0 = System.nanoTime();
        for (int shard = 0; shard < shards; shard++) {
            long n = usersPerShard.getOrDefault(shard, 0L);
            if (markers.isShardCommitted(stage, shard)) {
                done += n;
                skipped++;
                continue;
            }
            ctx.spark().sparkContext().setJobDescription("Training user adapters: shard " + (shard + 1) + "/" + shards
                    + " (" + n + " users)");
            int thisShard = shard;
            JavaRDD<TensorRecord> records = users.filter(u -> AdapterShards.shardOf(u._1(), shards) == thisShard)
                    .values()
                    .mapPartitions(it -> train(it, bBase.value(), bExperts.value(), uo, o, perBatch, lossSum));
            writer.writeShard(records, shard, AdapterRecords.USER);
            markers.markShardCommitted(stage, shard);
            done += n;
            trainedNow += n;
            FaultInjection.afterShardCommitted(++committedNow);
            double secs = (System.nanoTime() - t0) / 1e9;
            double rate = trainedNow / Math.max(secs, 1e-9);
            LOG.info("User adapters: shard {}/{} committed; {}/{} users done, {} users/s, ETA {} s", shard + 1, shards,
                    done, total, String.format("%.1f", rate), String.format("%.0f", (total - done) / Math.max(rate, 1e-9)));
        }
        users.unpersist();
        bBase.destroy();
        bExperts.destroy();

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("users_with_adapter", total);
        summary.put("min_history", minHistory);
        summary.put("shards", shards);
        summary.put("shards_resumed", skipped);
        summary.put("users_trained_now", trainedNow);
        summary.put("users_per_second", trainedNow / Math.max((System.nanoTime() - t0) / 1e9, 1e-9));
        summary.put("mean_final_loss", trainedNow == 0 ? null : lossSum.value() / trainedNow);
        summary.put("ablation", Map.of("group_level", s.groupLevel(), "fixed_beta", s.fixedBeta(),
                "hard_routing", s.group().hardRouting()));
        return summary;
    }

    private static UserData userData(Iterable<Tuple2<String, Row3>> rows) {
        List<Tuple2<String, Row3>> all = new ArrayList<>();
        rows.forEach(all::add);
        all.sort((a, b) -> a._1().compareTo(b._1()));
        List<Example> train = new ArrayList<>(all.size());
        for (Tuple2<String, Row3> t : all) train.add(t._2().example());
        Row3 first = all.get(0)._2();
        return new UserData(first.example().userId(), first.embedding(), train, List.of());
    }

    private static Iterator<TensorRecord> train(Iterator<UserData> it, BaseModel base, GroupExperts experts, UserOptions uo,
                                                TrainOptions o, int perBatch, DoubleAccumulator lossSum) {
        FaultInjection.inUserTask();
        GpuBinding.bindCurrentTask();
        List<UserData> all = new ArrayList<>();
        it.forEachRemaining(all::add);
        all.sort((a, b) -> a.userId().compareTo(b.userId()));
        List<TensorRecord> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += perBatch) {
            List<UserData> batch = all.subList(i, Math.min(all.size(), i + perBatch));
            for (UserTrainer.UserResult r : UserTrainer.trainBatched(base, experts, batch, uo, o)) {
                out.addAll(AdapterRecords.ofUser(r.adapter()));
                if (!r.loss().isEmpty()) lossSum.add(r.loss().get(r.loss().size() - 1));
            }
        }
        return out.iterator();
    }
}
