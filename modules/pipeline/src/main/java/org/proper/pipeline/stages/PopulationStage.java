package org.proper.pipeline.stages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.method.LoraAdapter;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.TrainResult;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.StageSummaries;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.incremental.IncrementalPlan;
import org.proper.pipeline.incremental.ParentArtifacts;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.train.AdapterRecords;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.BaseModels;
import org.proper.pipeline.train.LocalSgd;
import org.proper.pipeline.train.ModelSettings;
import org.proper.pipeline.train.ParamVector;
import org.proper.pipeline.train.TrainingData;

/**
 * train-population (DESIGN §2): one LoRA on every training example by synchronous local SGD over Spark, then merged
 * into the base (W' = W + ΔW_p) and frozen for the next stages. The base is the one the embed stage obtained when it
 * embedded with it (embed.method hidden-state), else obtained here ({@link BaseModels}).
 */
public final class PopulationStage implements Stage {
    public static final String BASE = ArtifactStore.BASE;
    public static final String POPULATION = "population";
    public static final String MERGED = "merged";

    @Override
    public StageName name() {
        return StageName.TRAIN_POPULATION;
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        ModelSettings s = ModelSettings.from(ctx.config());
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        Map<String, Object> summary = new LinkedHashMap<>();
        IncrementalPlan plan = IncrementalPlan.load(ctx);
        if (plan.reusesPopulation()) {
            ParentArtifacts parent = ParentArtifacts.of(ctx, plan);
            parent.copyArtifacts(BASE, POPULATION, MERGED);
            parent.copyAdapters(AdapterRecords.POPULATION, s.shards(), AdapterRecords.POPULATION);
            summary.put("reused_from", plan.parentRunId());
            summary.put("reason", plan.population().reason());
            summary.put("base_fingerprint", store.get(BASE, BaseModel.class).fingerprint());
            summary.put("merged_fingerprint", store.get(MERGED, BaseModel.class).fingerprint());
            return summary;
        }

        BaseModel base = embedStageBase(ctx, store, summary);
        if (base == null) {
            BaseModels.Obtained obtained = BaseModels.obtain(ctx, s);
            base = obtained.model();
            store.put(BASE, base);
            summary.put("base_model", obtained.describe());
            summary.put("base_fingerprint", base.fingerprint());
            summary.put("pretrain_loss", obtained.loss());
        }

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
        int partitions = Math.max(1, jsc.defaultParallelism());
        JavaRDD<Example> examples = TrainingData.examples(ctx, s.encoder(TaskSpecs.ofRun(ctx)), partitions).persist(StorageLevel.MEMORY_AND_DISK());
        Broadcast<BaseModel> bBase = jsc.broadcast(base);
        LoraAdapter adapter = LoraAdapter.init(s.populationLora(), base, s.seed());
        int rounds = s.populationRounds(), local = s.populationLocalSteps();
        List<Double> roundLoss = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            ctx.spark().sparkContext().setJobDescription("Training the population LoRA: round " + (r + 1) + "/" + rounds);
            Broadcast<LoraAdapter> bAdapter = jsc.broadcast(adapter);
            TrainOptions o = s.base().withSteps(local).withLr(s.populationLr()).withScheduleWindow(r * local, rounds * local)
                    .withSeed(s.seed() + 1_000L * r);
            LocalSgd.Partial p = LocalSgd.round(examples, (pid, rows) -> {
                TrainResult<LoraAdapter> t = LoraTrainer.train(bBase.value(), bAdapter.value(), rows, o.withSeed(o.seed() + pid));
                LoraTrainer.releaseArrays();
                return new LocalSgd.Partial(ParamVector.of(t.params(), rows.size()),
                        t.loss().stream().mapToDouble(Double::doubleValue).sum(), t.loss().size());
            }, 2);
            adapter = p.params().mean().toLora(adapter);
            roundLoss.add(p.meanLoss());
            LocalSgdLog.round("Population LoRA", r, rounds, p.meanLoss(), t0);
            bAdapter.destroy();
        }
        examples.unpersist();
        bBase.destroy();

        BaseModel merged = adapter.mergeInto(base);
        store.put(POPULATION, adapter);
        store.put(MERGED, merged);
        new AdapterTableWriter(ctx.spark(), ctx.layout(), AdapterWriteOptions.shards(s.shards()))
                .write(AdapterRecords.ofPopulation(adapter), AdapterRecords.POPULATION);
        summary.put("rounds", rounds);
        summary.put("local_steps", local);
        summary.put("partitions", partitions);
        summary.put("loss", roundLoss);
        summary.put("merged_fingerprint", merged.fingerprint());
        return summary;
    }

    /**
     * The base model the embed stage obtained, stored and embedded with (embed.method hidden-state), so the population
     * LoRA trains on the base the embeddings came from and the base is obtained once per run; null when the embed
     * stage recorded none. Its summary's pretraining loss is carried over for the run report.
     *
     * @throws IllegalStateException when the stored base is not the one the embed stage recorded (its fingerprint)
     */
    private static BaseModel embedStageBase(RunContext ctx, ArtifactStore store, Map<String, Object> summary) {
        Map<String, Object> embed = StageSummaries.readAll(ctx).get(StageName.EMBED.cliName());
        if (embed == null || !(embed.get("base_fingerprint") instanceof String embedded) || !store.has(BASE)) return null;
        BaseModel base = store.get(BASE, BaseModel.class);
        String fingerprint = base.fingerprint();
        if (!fingerprint.equals(embedded)) {
            throw new IllegalStateException("Cannot train the population LoRA: the stored base model " + store.path(BASE)
                    + " has fingerprint " + fingerprint + ", not the " + embedded + " the embed stage embedded with (re-run the embed stage)");
        }
        summary.put("base_model", "obtained by the embed stage: " + embed.get("base_model"));
        summary.put("base_fingerprint", fingerprint);
        summary.put("pretrain_loss", embed.getOrDefault("pretrain_loss", List.of()));
        return base;
    }
}
