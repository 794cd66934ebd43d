package org.proper.pipeline.stages;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

import org.proper.common.ProperConfig;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.cluster.ClusterOptions;
import org.proper.pipeline.cluster.ClusterSummary;
import org.proper.pipeline.cluster.PlantedGroups;
import org.proper.pipeline.cluster.UserClusterer;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.StableOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** cluster: meso-level groups (MLlib) -> user_groups; the centroids initialise the router (DESIGN §2). */
public final class ClusterStage implements Stage {
    public static final String SUMMARY_ARTIFACT = "cluster-summary";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStage.class);

    @Override
    public StageName name() {
        return StageName.CLUSTER;
    }

    static ClusterOptions options(ProperConfig c) {
        boolean choose = c.getBoolean("proper.cluster.choose-k");
        ClusterOptions d = ClusterOptions.fixed(c.getString("proper.cluster.algorithm"), c.getInt("proper.cluster.k"));
        return new ClusterOptions(d.algorithm(), choose ? 0 : c.getInt("proper.cluster.k"),
                c.getInt("proper.cluster.k-min"), c.getInt("proper.cluster.k-max"),
                c.getDouble("proper.cluster.soft-temperature"), d.maxIter(), c.getLong("proper.cluster.seed"));
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        ClusterSummary summary = new UserClusterer(options(ctx.config())).write(
                StableOrder.of(ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)), "user_id"),
                ctx.layout().tableUri(RunLayout.USER_GROUPS));
        new ArtifactStore(ctx.layout(), ctx.hadoopConf()).put(SUMMARY_ARTIFACT, summary);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("algorithm", summary.algorithm());
        s.put("k", summary.k());
        s.put("sizes", Arrays.stream(summary.sizes()).boxed().toList());
        s.put("silhouette", summary.silhouette());
        s.put("silhouette_by_k", summary.silhouetteByK());
        OptionalDouble ari = PlantedGroups.adjustedRandIndex(ctx.spark(), ctx.config().getString("proper.data.input"),
                ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_GROUPS)));
        if (ari.isPresent()) {
            s.put("ari_vs_planted", ari.getAsDouble());
            LOG.info("Groups vs the planted groups of the synthetic data: adjusted Rand index {}", String.format("%.3f", ari.getAsDouble()));
        }
        return s;
    }
}
