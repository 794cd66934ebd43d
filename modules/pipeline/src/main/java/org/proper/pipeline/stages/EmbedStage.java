package org.proper.pipeline.stages;

import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.common.ProperConfig;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.embed.EmbedOptions;
import org.proper.pipeline.embed.ProfileEmbedder;
import org.proper.pipeline.embed.UserEmbedder;
import org.proper.pipeline.run.AtomicFiles;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.StableOrder;

/** embed: a preference embedding per user (MLlib) -> user_embeddings. */
public final class EmbedStage implements Stage {
    @Override
    public StageName name() {
        return StageName.EMBED;
    }

    static EmbedOptions options(ProperConfig c) {
        EmbedOptions d = EmbedOptions.of(c.getString("proper.embed.method"), c.getInt("proper.embed.dim"));
        return new EmbedOptions(d.method(), d.dim(), c.getInt("proper.embed.num-features"), d.minCount(), d.maxIter(),
                c.getLong("proper.train.seed"));
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        EmbedOptions o = options(ctx.config());
        // the fitted embedding model too, so serving can embed a user the run has never seen (proper generate --profile)
        org.apache.hadoop.fs.Path modelPath = ProfileEmbedder.modelDir(ctx.layout());
        String modelDir = modelPath.toString();
        try {
            ctx.layout().fileSystem(ctx.hadoopConf()).delete(modelPath, true); // a re-run with a method that saves none leaves none
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot clear " + modelPath + ": " + e.getMessage(), e);
        }
        new UserEmbedder(o).write(StableOrder.of(ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS)), "user_id", "item_id"),
                ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS), modelDir);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", o.method());
        s.put("dim", o.dim());
        s.put("embedding_model", AtomicFiles.exists(new org.apache.hadoop.fs.Path(modelPath, "metadata"), ctx.hadoopConf()) ? modelDir : null);
        s.put("users", ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)).count());
        return s;
    }
}
