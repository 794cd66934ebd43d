package org.proper.pipeline.stages;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;
import org.proper.model.method.UserOptions;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;
import org.proper.pipeline.FaultInjection;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.gpu.GpuBinding;
import org.proper.pipeline.incremental.IncrementalPlan;
import org.proper.pipeline.incremental.ParentArtifacts;
import org.proper.pipeline.incremental.UserChanges;
import org.proper.pipeline.io.AdapterShards;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.StageMarkers;
import org.proper.pipeline.train.AdapterRecords;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.ModelSettings;
import org.proper.pipeline.train.TrainingData.Row3;
import org.proper.pipeline.train.TrainingData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import scala.Tuple2;

/**
 * train-users (DESIGN §2, §4): one small LoRA per user (plus its LoRA-aware router R_u) over the frozen merged base,
 * experts and router. Users are hashed into shards; each shard is one Spark job whose tasks train many users at once
 * in one batched graph and whose adapters are committed before the shard is marked done, so an interrupted stage
 * resumes at the first uncommitted shard. Users with fewer training items than proper.train.users.min-history get
 * no user LoRA: they are served by population + router-mixed group experts (cold start).
 *
 * <p>In an incremental run ({@link IncrementalPlan#usersIncremental()}) only new and changed users are trained:
 * changed users continue from their adapter in the parent run, unchanged users' adapter rows are copied from the
 * parent unchanged (same bytes, same sha256).
 */
public final class UserStage implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(UserStage.class);

    @Override
    public StageName name() {
        return StageName.TRAIN_USERS;
    }

    /** Why a user is in this run's user stage: trained (from scratch or from its parent adapter) or kept. */
    static final String TRAINED = "trained", KEPT = "kept", CHANGED = "changed", NEW = "new",
            NO_PARENT_ADAPTER = "no_parent_adapter";

    /**
     * One user's work: {@code kind} {@value #KEPT} copies {@code parentRecords} (the parent's adapter rows) unchanged
     * (its {@code data} is null: a kept user's examples are not even read); {@value #CHANGED} continues training from
     * them; every other kind trains a fresh adapter.
     */
    record UserJob(UserData data, String kind, List<TensorRecord> parentRecords) implements java.io.Serializable {
        boolean kept() {
            return KEPT.equals(kind);
        }
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        ModelSettings s = ModelSettings.from(ctx.config());
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        BaseModel merged = store.get(PopulationStage.MERGED, BaseModel.class);
        GroupExperts experts = s.groupLevel() ? store.get(GroupStage.EXPERTS, GroupExperts.class) : null;
        IncrementalPlan plan = IncrementalPlan.load(ctx);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
        Broadcast<BaseModel> bBase = jsc.broadcast(merged);
        Broadcast<GroupExperts> bExperts = jsc.broadcast(experts);
        int shards = s.shards(), minHistory = s.userMinHistory(), perBatch = s.usersPerBatch();
        double devShare = s.userDevShare();
        long seed = s.seed();
        UserOptions uo = s.userOptions();
        TrainOptions o = s.userTrainOptions();

        int partitions = Math.max(1, jsc.defaultParallelism());
        // an incremental night reads and encodes the training rows of new and changed users only
        JavaPairRDD<String, UserData> users = TrainingData.examplesWithGroups(ctx, s.encoder(TaskSpecs.ofRun(ctx)),
                        plan.usersIncremental() ? UserChanges.newOrChanged(ctx) : null)
                .mapToPair(t -> new Tuple2<>(t._2().example().userId(), new Tuple2<>(t._1(), t._2())))
                .groupByKey(new HashPartitioner(partitions))
                .mapValues(rows -> userData(rows, devShare, seed))
                .filter(u -> u._2().train().size() + u._2().dev().size() >= minHistory);
        JavaPairRDD<String, UserJob> jobs = (plan.usersIncremental() ? incrementalJobs(ctx, plan, users, partitions)
                : users.mapValues(u -> new UserJob(u, TRAINED, null))).persist(StorageLevel.MEMORY_AND_DISK());
        // (shard, kept?) -> users: counts only
        Map<Tuple2<Integer, Boolean>, Long> perShardAndKept = jobs
                .map(j -> new Tuple2<>(AdapterShards.shardOf(j._1(), shards), j._2().kept())).countByValue();
        Map<String, Long> byKind = new java.util.TreeMap<>(jobs.map(j -> j._2().kind()).countByValue());
        Map<Integer, Long> usersPerShard = new java.util.TreeMap<>();
        Map<Integer, Long> trainedPerShard = new java.util.TreeMap<>();
        perShardAndKept.forEach((k, n) -> {
            usersPerShard.merge(k._1(), n, Long::sum);
            if (!k._2()) trainedPerShard.merge(k._1(), n, Long::sum);
        });
        long total = usersPerShard.values().stream().mapToLong(Long::longValue).sum();

        StageMarkers markers = ctx.markers();
        String stage = name().cliName();
        AdapterTableWriter writer = new AdapterTableWriter(ctx.spark(), ctx.layout(), AdapterWriteOptions.shards(shards));
        DoubleAccumulator lossSum = jsc.sc().doubleAccumulator("user final loss");
        LongAccumulator stoppedEarly = jsc.sc().longAccumulator("users stopped early");
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
                    + " (" + n + " users, " + trainedPerShard.getOrDefault(shard, 0L) + " to train)");
            int thisShard = shard;
            JavaRDD<TensorRecord> records = jobs.filter(u -> AdapterShards.shardOf(u._1(), shards) == thisShard)
                    .values()
                    .mapPartitions(it -> train(it, bBase.value(), bExperts.value(), uo, o, perBatch, lossSum, stoppedEarly));
            writer.writeShard(records, shard, AdapterRecords.USER);
            markers.markShardCommitted(stage, shard);
            done += n;
            trainedNow += trainedPerShard.getOrDefault(shard, 0L);
            FaultInjection.afterShardCommitted(++committedNow);
            double secs = (System.nanoTime() - t0) / 1e9;
            double rate = trainedNow / Math.max(secs, 1e-9);
            LOG.info("User adapters: shard {}/{} committed; {}/{} users done, {} users/s, ETA {} s", shard + 1, shards,
                    done, total, String.format("%.1f", rate), String.format("%.0f", (total - done) / Math.max(rate, 1e-9)));
        }
        jobs.unpersist();
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
        summary.put("early_stopping", Map.of("patience", o.patience(), "dev_share", devShare,
                "users_stopped_early", stoppedEarly.value()));
        summary.put("ablation", Map.of("group_level", s.groupLevel(), "fixed_beta", s.fixedBeta(),
                "hard_routing", s.group().hardRouting()));
        summary.put("users_by_kind", byKind);
        summary.put("retrained", retrained(plan, byKind));
        return summary;
    }

    /** The manifest's retrained.users block: how many adapters were trained, kept from the parent, and why. */
    static Map<String, Object> retrained(IncrementalPlan plan, Map<String, Long> byKind) {
        long kept = byKind.getOrDefault(KEPT, 0L);
        long all = byKind.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("retrained", all - kept);
        m.put("kept", kept);
        m.put("new", byKind.getOrDefault(NEW, 0L));
        m.put("changed", byKind.getOrDefault(CHANGED, 0L));
        m.put("changed_without_parent_adapter", byKind.getOrDefault(NO_PARENT_ADAPTER, 0L));
        m.put("warm_start", plan.usersIncremental());
        m.put("reason", plan.usersIncremental()
                ? "new or changed training interactions since parent run " + plan.parentRunId()
                        + " (changed users continue from their previous adapter; the others keep it)"
                : plan.usersReason());
        return m;
    }

    /**
     * Incremental run, joined on the executors: new and changed eligible users ({@code users}) with their change and
     * the parent's adapter rows (changed users with one continue from it, the others start fresh), plus every
     * unchanged user with an adapter in the parent, kept as it is. Unchanged users' eligibility is the parent's: their
     * training rows and the model-shaping configuration are the same ({@code Planner} refreshes otherwise).
     */
    private static JavaPairRDD<String, UserJob> incrementalJobs(RunContext ctx, IncrementalPlan plan,
                                                                JavaPairRDD<String, UserData> users, int partitions) {
        JavaPairRDD<String, String> change = UserChanges.read(ctx).select("user_id", "change").javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getString(0), r.getString(1)));
        JavaPairRDD<String, Iterable<TensorRecord>> parentAdapters = ParentArtifacts.of(ctx, plan)
                .adapters(AdapterRecords.USER).mapToPair(r -> new Tuple2<>(r.ownerId(), r)).groupByKey(partitions);
        JavaPairRDD<String, UserJob> trained = users.leftOuterJoin(change, partitions).leftOuterJoin(parentAdapters, partitions)
                .mapValues(t -> {
                    String c = t._1()._2().orElse(UserChanges.NEW);
                    boolean warm = UserChanges.CHANGED.equals(c) && t._2().isPresent();
                    String kind = UserChanges.NEW.equals(c) ? NEW : warm ? CHANGED : NO_PARENT_ADAPTER;
                    return new UserJob(t._1()._1(), kind, warm ? records(t._2().get()) : null);
                });
        JavaPairRDD<String, UserJob> kept = parentAdapters
                .join(change.filter(c -> UserChanges.UNCHANGED.equals(c._2())), partitions)
                .mapValues(t -> new UserJob(null, KEPT, records(t._1())));
        return trained.union(kept);
    }

    private static List<TensorRecord> records(Iterable<TensorRecord> it) {
        List<TensorRecord> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }

    /**
     * A user's items in key order; with early stopping on, the {@code devShare} of them with the smallest seeded hash
     * of their key (at least one, never all) is the user's dev set.
     */
    static UserData userData(Iterable<Tuple2<String, Row3>> rows, double devShare, long seed) {
        List<Tuple2<String, Row3>> all = new ArrayList<>();
        rows.forEach(all::add);
        all.sort((a, b) -> a._1().compareTo(b._1()));
        int nDev = devShare <= 0 || all.size() < 2 ? 0 : Math.min(all.size() - 1, Math.max(1, (int) Math.round(devShare * all.size())));
        Set<String> devKeys = new HashSet<>();
        all.stream().map(t -> new Tuple2<>(TrainingData.unitHash(t._1(), seed), t._1()))
                .sorted(Comparator.comparingDouble(Tuple2::_1)).limit(nDev).forEach(t -> devKeys.add(t._2()));
        List<Example> train = new ArrayList<>(all.size()), dev = new ArrayList<>(nDev);
        for (Tuple2<String, Row3> t : all) (devKeys.contains(t._1()) ? dev : train).add(t._2().example());
        Row3 first = all.get(0)._2();
        return new UserData(first.example().userId(), first.embedding(), train, dev);
    }

    private static Iterator<TensorRecord> train(Iterator<UserJob> it, BaseModel base, GroupExperts experts, UserOptions uo,
                                                TrainOptions o, int perBatch, DoubleAccumulator lossSum,
                                                LongAccumulator stoppedEarly) {
        FaultInjection.inUserTask();
        GpuBinding.bindCurrentTask();
        List<UserJob> all = new ArrayList<>();
        List<TensorRecord> out = new ArrayList<>();
        it.forEachRemaining(j -> {
            if (j.kept()) out.addAll(j.parentRecords());   // referenced, not retrained: the parent's tensors as they were
            else all.add(j);
        });
        all.sort((a, b) -> a.data().userId().compareTo(b.data().userId()));
        for (int i = 0; i < all.size(); i += perBatch) {
            List<UserJob> jobs = all.subList(i, Math.min(all.size(), i + perBatch));
            List<UserData> batch = new ArrayList<>(jobs.size());
            for (UserJob j : jobs) batch.add(j.data());
            List<UserAdapter> start = new ArrayList<>(UserTrainer.initAdapters(base, experts, batch, uo, o));
            for (int u = 0; u < jobs.size(); u++) {
                UserJob j = jobs.get(u);
                if (CHANGED.equals(j.kind())) {             // warm start from the parent's adapter
                    start.set(u, AdapterRecords.toUser(j.data().userId(), j.parentRecords(), uo.lora(), base.config()));
                }
            }
            for (UserTrainer.UserResult r : UserTrainer.trainBatched(base, experts, batch, start, uo, o)) {
                out.addAll(AdapterRecords.ofUser(r.adapter()));
                if (!r.loss().isEmpty()) lossSum.add(r.loss().get(r.loss().size() - 1));
                if (r.loss().size() < o.steps()) stoppedEarly.add(1);
            }
        }
        LoraTrainer.releaseArrays();
        return out.iterator();
    }
}
