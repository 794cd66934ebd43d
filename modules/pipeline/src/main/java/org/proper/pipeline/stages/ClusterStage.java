package org.proper.pipeline.stages;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

import org.proper.common.ProperConfig;
import org.apache.spark.sql.Row;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.cluster.ClusterOptions;
import org.proper.pipeline.cluster.ClusterSummary;
import org.proper.pipeline.cluster.PlantedGroups;
import org.proper.pipeline.cluster.UserClusterer;
import org.proper.pipeline.incremental.DriftCheck;
import org.proper.pipeline.incremental.IncrementalPlan;
import org.proper.pipeline.incremental.ParentArtifacts;
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
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        IncrementalPlan plan = IncrementalPlan.load(ctx);
        Map<String, Object> s = new LinkedHashMap<>();
        ClusterSummary summary = null;
        if (plan.reusesPopulation()) {
            ParentArtifacts parent = ParentArtifacts.of(ctx, plan);
            ClusterSummary parentClustering = new ArtifactStore(parent.parent(), ctx.hadoopConf())
                    .get(SUMMARY_ARTIFACT, ClusterSummary.class);
            DriftCheck.Result drift = DriftCheck.run(ctx, plan, parentClustering);
            plan = drift.plan();
            s.put("drift", plan.drift());
            s.put("users_changing_group", drift.moved());
            s.put("users_shared_with_parent", drift.shared());
            if (drift.userGroups() != null) {
                String out = ctx.layout().tableUri(RunLayout.USER_GROUPS);
                drift.userGroups().sortWithinPartitions("user_id").write().mode("overwrite").parquet(out);
                long[] sizes = new long[parentClustering.k()];
                for (Row r : ctx.spark().read().parquet(out).groupBy("group_id").count().collectAsList()) {
                    sizes[r.getInt(0)] = r.getLong(1);
                }
                summary = new ClusterSummary(parentClustering.algorithm(), parentClustering.k(), parentClustering.centroids(),
                        sizes, parentClustering.silhouette(), parentClustering.silhouetteByK());
                s.put("clustering", "parent run " + plan.parentRunId() + "'s (new and changed users by nearest centroid)");
            }
            plan.save(ctx);
        }
        if (summary == null) {
            summary = new UserClusterer(options(ctx.config())).write(
                    StableOrder.of(ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)), "user_id"),
                    ctx.layout().tableUri(RunLayout.USER_GROUPS));
        }
        store.put(SUMMARY_ARTIFACT, summary);
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
        s.put("groups", plan.toManifest().get("groups"));
        return s;
    }
}
