package org.proper.pipeline.incremental;

import static org.apache.spark.sql.functions.col;

import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.cluster.CentroidAssignment;
import org.proper.pipeline.cluster.ClusterSummary;
import org.proper.pipeline.run.RunLayout;

/**
 * The cluster stage's half of an incremental run's plan: new and changed users (embedded with the parent's model) are
 * assigned to the parent's centroids; drift = the share of the users this run shares with the parent whose group
 * differs from their group in the parent (unchanged users keep theirs, so only changed users can move). Above
 * proper.incremental.drift-threshold the users are re-clustered and the groups retrained; else this run's user_groups
 * are the parent's rows for unchanged users plus the new assignments.
 */
public final class DriftCheck {
    /** The decision and, when the groups are kept, the user_groups rows to write. */
    public record Result(IncrementalPlan plan, Dataset<Row> userGroups, long moved, long shared) {}

    private DriftCheck() {}

    /** @param parentClustering the parent's cluster summary (its centroids) */
    public static Result run(RunContext ctx, IncrementalPlan plan, ClusterSummary parentClustering) {
        ParentArtifacts parent = ParentArtifacts.of(ctx, plan);
        double temperature = ctx.config().getDouble("proper.cluster.soft-temperature");
        Dataset<Row> embeddings = ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS));
        Dataset<Row> assigned = CentroidAssignment.userGroups(
                embeddings.join(UserChanges.newOrChanged(ctx), "user_id", "left_semi"), parentClustering, temperature);
        Dataset<Row> parentGroups = ctx.spark().read().parquet(parent.parent().tableUri(RunLayout.USER_GROUPS));
        long shared = UserChanges.read(ctx).filter(col("change").notEqual(UserChanges.NEW)).count();
        long moved = assigned.join(parentGroups.select(col("user_id"), col("group_id").as("parent_group")), "user_id")
                .filter(col("group_id").notEqual(col("parent_group"))).count();
        double drift = shared == 0 ? 0.0 : moved / (double) shared;
        double threshold = ctx.config().getDouble("proper.incremental.drift-threshold");
        if (drift > threshold) {
            String why = String.format("drift: %d of %d users changed group (%.4f > drift-threshold %s)", moved, shared,
                    drift, threshold);
            return new Result(plan.withGroups(true, why, drift, ctx), null, moved, shared);
        }
        Map.Entry<String, java.time.LocalDate> trained = ParentRun.of(parent.parent(), ctx.hadoopConf()).groupsTrained();
        long days = ChronoUnit.DAYS.between(trained.getValue(), ctx.runDate());
        String why = String.format("kept from parent run %s: %d of %d users changed group (drift %.4f <= %s); groups "
                        + "trained in run %s on %s, %d of %d cadence days ago", plan.parentRunId(), moved, shared, drift,
                threshold, trained.getKey(), trained.getValue(), days,
                ctx.config().getInt("proper.incremental.groups-cadence-days"));
        IncrementalPlan kept = new IncrementalPlan(plan.parentRunId(), plan.population(),
                new IncrementalPlan.Level(false, why), drift, trained.getKey(), trained.getValue());
        Dataset<Row> keptRows = parentGroups.join(UserChanges.users(ctx, UserChanges.UNCHANGED), "user_id", "left_semi");
        return new Result(kept, keptRows.unionByName(assigned), moved, shared);
    }
}
