package org.proper.pipeline.stages;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.proper.model.lm.BaseModel;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.embed.EmbedOptions;
import org.proper.pipeline.embed.HiddenStateEmbedding;
import org.proper.pipeline.embed.UserEmbedder;
import org.proper.pipeline.incremental.IncrementalPlan;
import org.proper.pipeline.incremental.ParentArtifacts;
import org.proper.pipeline.incremental.Planner;
import org.proper.pipeline.incremental.UserChanges;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.BaseModels;
import org.proper.pipeline.train.ModelSettings;
import org.proper.pipeline.train.StableOrder;

/**
 * embed: a preference embedding per user (MLlib) -> user_embeddings; the fitted model is saved under
 * {@code model/embedding/}. With a parent run it first plans the run ({@link Planner}) and writes user_changes; an
 * incremental run keeps the parent's embedding rows of unchanged users and embeds new and changed users with the
 * parent's saved model, so every embedding of the run lives in the space of the parent's clustering. With
 * embed.method hidden-state it also obtains the run's base model (stored as the {@code base} artifact, which the
 * population stage then reuses), or in an incremental run takes the parent's.
 */
public final class EmbedStage implements Stage {
    @Override
    public StageName name() {
        return StageName.EMBED;
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        EmbedOptions o = EmbedOptions.from(ctx.config());
        UserEmbedder embedder = new UserEmbedder(o);
        IncrementalPlan plan = Planner.plan(ctx, embedder.reusesModels());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", o.method());
        s.put("dim", o.dim());
        String out = ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS);
        String modelDir = ParentArtifacts.modelDir(ctx.layout(), Planner.EMBEDDING_MODEL).toString();
        Dataset<Row> interactions = StableOrder.of(ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS)),
                "user_id", "item_id");
        if (UserEmbedder.HIDDEN_STATE.equals(o.method())) embedder = embedder.withMethod(hiddenState(ctx, plan, s));
        if (plan.hasParent()) {
            ParentArtifacts parent = ParentArtifacts.of(ctx, plan);
            s.put("parent_run", plan.parentRunId());
            s.put("user_changes", UserChanges.write(ctx, parent.parent()));
            if (plan.reusesPopulation()) {
                parent.copyModelDir(Planner.EMBEDDING_MODEL);
                Dataset<Row> fresh = embedder.embedWithModel(interactions.join(UserChanges.newOrChanged(ctx), "user_id", "left_semi"),
                        modelDir);
                Dataset<Row> kept = ctx.spark().read().parquet(parent.parent().tableUri(RunLayout.USER_EMBEDDINGS))
                        .join(UserChanges.users(ctx, UserChanges.UNCHANGED), "user_id", "left_semi");
                kept.unionByName(fresh).sortWithinPartitions("user_id").write().mode("overwrite").parquet(out);
                s.put("embedding_model", "parent run " + plan.parentRunId() + "'s (kept rows of unchanged users)");
            }
        }
        if (!plan.reusesPopulation()) {
            embedder.write(interactions, out, modelDir);
            s.put("embedding_model", embedder.reusesModels() ? "fitted in this run" : "fitted in this run (not saved)");
        }
        plan.save(ctx);
        s.put("plan", plan.toManifest());
        s.put("users", ctx.spark().read().parquet(out).count());
        return s;
    }

    /**
     * hidden-state embeds with the run's base model, stored as the run's {@code base} artifact: in an incremental run
     * the parent's (the space of the parent's saved PCA and clustering), otherwise obtained here (checkpoint or
     * pretrained, {@link BaseModels}), so the population stage trains on the base the embeddings came from instead of
     * obtaining another ({@link PopulationStage}).
     */
    private static HiddenStateEmbedding hiddenState(RunContext ctx, IncrementalPlan plan, Map<String, Object> summary) {
        ModelSettings settings = ModelSettings.from(ctx.config());
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        BaseModel base;
        if (plan.reusesPopulation()) {
            ParentArtifacts.of(ctx, plan).copyArtifacts(ArtifactStore.BASE);
            base = store.get(ArtifactStore.BASE, BaseModel.class);
            summary.put("base_model", "parent run " + plan.parentRunId() + "'s");
        } else {
            BaseModels.Obtained obtained = BaseModels.obtain(ctx, settings);
            base = obtained.model();
            store.put(ArtifactStore.BASE, base);
            summary.put("base_model", obtained.describe());
            summary.put("pretrain_loss", obtained.loss());
        }
        summary.put("base_fingerprint", base.fingerprint());
        return HiddenStateEmbedding.of(base, settings.tokenizer());
    }
}
