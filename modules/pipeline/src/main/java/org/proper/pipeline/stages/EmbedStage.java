package org.proper.pipeline.stages;

import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.common.ProperConfig;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.embed.EmbedOptions;
import org.proper.pipeline.embed.UserEmbedder;
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
        new UserEmbedder(o).write(StableOrder.of(ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS)), "user_id", "item_id"),
                ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", o.method());
        s.put("dim", o.dim());
        s.put("users", ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)).count());
        return s;
    }
}
