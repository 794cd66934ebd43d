package org.proper.pipeline.stages;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.proper.data.task.TaskMapping;
import org.proper.eval.baseline.TrainingOutput;
import org.proper.eval.baseline.UserMajority;
import org.proper.eval.metrics.ExampleScorer;
import org.proper.eval.metrics.MetricAccumulator;
import org.proper.eval.metrics.TaskSpec;
import org.proper.eval.report.ComparisonTable;
import org.proper.eval.report.ComparisonTableBuilder;
import org.proper.eval.report.ExampleResult;
import org.proper.eval.report.MarkdownTable;
import org.proper.eval.report.Methods;
import org.proper.eval.report.MetricRow;
import org.proper.eval.report.ProfileBucket;
import org.proper.eval.report.UserMetricRows;
import org.proper.model.infer.Composition;
import org.proper.model.lm.BaseModel;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.evaluate.EvaluatedUsers;
import org.proper.pipeline.evaluate.MetricsTable;
import org.proper.pipeline.evaluate.Predictor;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.evaluate.UserCompositions;
import org.proper.pipeline.gpu.GpuBinding;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.AtomicFiles;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.AdapterRecords;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.ModelSettings;

import scala.Tuple2;

/**
 * evaluate: answers every held-out query (proper.eval.split) with each level of the run — base model, population
 * (merged), group level (router-mixed experts), the personalized model (user LoRA, or the cold-start composition for
 * users without one) — and the non-neural user-majority baseline, on the executors; writes the metrics table
 * (overall, by profile-length bucket, per user) and the comparison table as report.md.
 */
public final class EvaluateStage implements Stage {
    public static final String TABLE_ARTIFACT = "comparison-table";

    @Override
    public StageName name() {
        return StageName.EVALUATE;
    }

    /** The personalized method's name in the comparison, from the run's ablation switches (DESIGN §2). */
    public static String personalizedMethod(ModelSettings s, boolean diversity) {
        if (!s.groupLevel()) return Methods.OPPU;
        if (s.group().hardRouting()) return Methods.PROPER_HARD_CLUSTERS;
        if (s.fixedBeta()) return Methods.PROPER_FIXED_BETA;
        if (!diversity) return Methods.PROPER_NO_DIVERSITY;
        return Methods.PROPER;
    }

    /** One held-out query with what is needed to answer it. */
    record Query(String userId, String input, String gold, long profileLength, float[] embedding) implements java.io.Serializable {}

    @Override
    public Map<String, Object> run(RunContext ctx) {
        ModelSettings s = ModelSettings.from(ctx.config());
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        TaskMapping mapping = store.get(IngestStage.TASK_MAPPING, TaskMapping.class);
        TaskSpec task = TaskSpecs.of(mapping);
        BaseModel base = store.get(PopulationStage.BASE, BaseModel.class);
        BaseModel merged = store.get(PopulationStage.MERGED, BaseModel.class);
        GroupExperts experts = s.groupLevel() ? store.get(GroupStage.EXPERTS, GroupExperts.class) : null;
        String personalized = personalizedMethod(s, ctx.config().getBoolean("proper.ablation.diversity"));
        boolean hard = s.group().hardRouting();
        String split = ctx.config().getString("proper.eval.split");

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
        Dataset<Row> interactions = ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS));
        Dataset<Row> train = interactions.filter(col("split").equalTo("train"));
        Dataset<Row> profile = train.groupBy("user_id").count().withColumnRenamed("count", "profile_length");
        Dataset<Row> emb = ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)).select("user_id", "embedding");
        Dataset<Row> queries = EvaluatedUsers.sample(interactions.filter(col("split").equalTo(split)).select("user_id", "input", "output"),
                        ctx.config().getLong("proper.eval.max-users"), s.seed())
                .join(profile, new String[]{"user_id"}, "left")
                .join(emb, new String[]{"user_id"}, "left");
        JavaPairRDD<String, Query> byUser = queries.javaRDD().mapToPair(r -> {
            String u = r.getAs("user_id");
            Object pl = r.getAs("profile_length");
            List<Float> e = r.isNullAt(r.fieldIndex("embedding")) ? null : r.getList(r.fieldIndex("embedding"));
            float[] v = null;
            if (e != null) {
                v = new float[e.size()];
                for (int i = 0; i < v.length; i++) v[i] = e.get(i);
            }
            return new Tuple2<>(u, new Query(u, r.getAs("input"), r.getAs("output"), pl == null ? 0L : (Long) pl, v));
        });
        JavaPairRDD<String, String> majority = train.select("user_id", "output", "timestamp", "position").javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getString(0), new TrainingOutput(r.getString(0), r.getString(1),
                        r.isNullAt(2) ? null : r.getLong(2), r.getLong(3))))
                .groupByKey()
                .flatMapValues(h -> {
                    List<TrainingOutput> l = new ArrayList<>();
                    h.forEach(l::add);
                    return UserMajority.predictUser(task, l).stream().iterator();
                });
        JavaPairRDD<String, Iterable<TensorRecord>> userAdapters = new AdapterTableReader(ctx.spark())
                .readLevel(ctx.layout().tableUri(RunLayout.ADAPTERS), AdapterRecords.USER)
                .keyBy(TensorRecord::ownerId).groupByKey();

        Broadcast<BaseModel> bBase = jsc.broadcast(base);
        Broadcast<BaseModel> bMerged = jsc.broadcast(merged);
        Broadcast<GroupExperts> bExperts = jsc.broadcast(experts);
        Predictor predictor = new Predictor(task, s.encoder(task));
        ctx.spark().sparkContext().setJobDescription("Evaluating: answering " + split + " queries with every level");

        JavaRDD<ExampleResult> results = byUser.leftOuterJoin(userAdapters).leftOuterJoin(majority)
                .mapPartitions(it -> {
                    GpuBinding.bindCurrentTask();
                    Composition cBase = Composition.of(bBase.value());
                    UserCompositions users = new UserCompositions(bMerged.value(), bExperts.value(), hard);
                    List<ExampleResult> out = new ArrayList<>();
                    while (it.hasNext()) {
                        Tuple2<String, Tuple2<Tuple2<Query, org.apache.spark.api.java.Optional<Iterable<TensorRecord>>>,
                                org.apache.spark.api.java.Optional<String>>> t = it.next();
                        Query q = t._2()._1()._1();
                        float[] e = q.embedding();
                        out.add(result(Methods.BASE, q, predictor.predict(cBase, null, q.input())));
                        String pop = predictor.predict(users.population(), null, q.input());
                        out.add(result(Methods.POPULATION, q, pop));
                        // the same rule serving uses: router-mixed experts from the embedding, else the population
                        UserCompositions.Composed g = users.forUser(null, e);
                        String group = g.level() == UserCompositions.Level.POPULATION ? pop
                                : predictor.predict(g.composition(), g.embedding(), q.input());
                        if (users.router() != null) out.add(result(Methods.GROUP_ONLY, q, group));
                        String mine = group;
                        if (t._2()._1()._2().isPresent()) {
                            List<TensorRecord> recs = new ArrayList<>();
                            t._2()._1()._2().get().forEach(recs::add);
                            UserAdapter ua = AdapterRecords.toUser(q.userId(), recs, s.userLora(), bMerged.value().config());
                            UserCompositions.Composed c = users.forUser(ua, e);
                            mine = predictor.predict(c.composition(), c.embedding(), q.input());
                            c.release();
                        }
                        out.add(result(personalized, q, mine));
                        out.add(result(Methods.USER_MAJORITY, q, t._2()._2().orElse("")));
                    }
                    cBase.release();
                    users.release();
                    return out.iterator();
                }).persist(StorageLevel.MEMORY_AND_DISK());

        // overall and per-bucket aggregates: one mergeable accumulator per (method, bucket), combined on the executors
        ExampleScorer scorer = new ExampleScorer(task);
        List<Tuple2<String, MetricAccumulator>> parts = results
                .mapToPair(r -> new Tuple2<>(r.method() + "\u0000" + r.bucket().name(), r))
                .aggregateByKey(new MetricAccumulator(task), (acc, r) -> acc.add(scorer.score(r.gold(), r.prediction())),
                        MetricAccumulator::merge)
                .collect();
        String dataset = mapping.task() + " (" + split + ")";
        ComparisonTableBuilder builder = new ComparisonTableBuilder(dataset, task);
        for (Tuple2<String, MetricAccumulator> p : parts) {
            String[] kb = p._1().split("\u0000");
            builder.merge(kb[0], ProfileBucket.valueOf(kb[1]), p._2());
        }
        ComparisonTable table = builder.build();

        // per-user rows stay on the executors
        JavaRDD<MetricRow> userRows = results
                .mapToPair(r -> new Tuple2<>(r.method() + "\u0000" + r.userId(), r))
                .aggregateByKey(new ArrayList<ExampleResult>(), (l, r) -> { l.add(r); return l; },
                        (a, b) -> { a.addAll(b); return a; })
                .flatMap(t -> UserMetricRows.of(task, t._2()).iterator());
        MetricsTable.write(ctx, jsc.parallelize(table.toMetricRows(), 1).union(userRows));
        results.unpersist();
        bBase.destroy();
        bMerged.destroy();
        bExperts.destroy();

        String markdown = MarkdownTable.render(table);
        AtomicFiles.writeFile(new org.apache.hadoop.fs.Path(ctx.layout().root(), "report.md"),
                markdown.getBytes(java.nio.charset.StandardCharsets.UTF_8), ctx.hadoopConf());
        store.put(TABLE_ARTIFACT, table);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", task.name());
        summary.put("split", split);
        summary.put("main_metric", table.mainMetric().id());
        Map<String, Object> main = new LinkedHashMap<>();
        for (ComparisonTable.Row row : table.rows()) main.put(row.method(), row.overall().get(table.mainMetric()));
        summary.put("by_method", main);
        summary.put("queries", table.rows().isEmpty() ? 0 : table.rows().get(0).overall().n());
        long maxUsers = ctx.config().getLong("proper.eval.max-users");
        summary.put("users_evaluated", maxUsers > 0 ? "a seeded sample of about " + maxUsers + " users" : "all");
        return summary;
    }

    private static ExampleResult result(String method, Query q, String prediction) {
        return new ExampleResult(method, q.userId(), q.profileLength(), q.gold(), prediction);
    }
}
