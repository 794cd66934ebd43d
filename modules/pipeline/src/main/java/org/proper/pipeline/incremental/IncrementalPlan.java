package org.proper.pipeline.incremental;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.pipeline.RunContext;
import org.proper.pipeline.train.ArtifactStore;

/**
 * What a run retrains and what it takes from its parent run, decided by the embed stage (parent, cadence, config) and
 * completed by the cluster stage (drift), then read by every later stage and written into the manifest's
 * {@code retrained} block. Kept as an artifact of the run, so each stage (a separate spark-submit in the nightly DAG)
 * sees the same decision, and a re-run of a stage does not re-resolve "latest".
 *
 * <p>Levels depend on each other: a retrained population (a full refresh) implies retrained groups, and retrained
 * groups imply every user adapter is retrained from scratch (they were trained against the old experts and router).
 *
 * @param parentRunId        the parent run, or null for a run without parent
 * @param population         whether population (and base, embedding model, clustering) is retrained, and why
 * @param groups             whether the clustering, group experts and router are retrained, and why
 * @param drift              share of the parent's users that changed group (null when not measured)
 * @param groupsTrainedInRun the run whose group experts and router this run uses
 * @param groupsTrainedOn    the run date of that run (the cadence counts from it)
 */
public record IncrementalPlan(String parentRunId, Level population, Level groups, Double drift,
                             String groupsTrainedInRun, LocalDate groupsTrainedOn) implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String ARTIFACT = "incremental-plan";

    /** Whether a level is retrained in this run and why (or why not). */
    public record Level(boolean retrained, String reason) implements Serializable {
        private static final long serialVersionUID = 1L;

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("retrained", retrained);
            m.put("reason", reason);
            return m;
        }
    }

    /** Everything trained from scratch in this run. */
    public static IncrementalPlan full(String parentRunId, String reason, RunContext ctx) {
        return new IncrementalPlan(parentRunId, new Level(true, reason), new Level(true, reason), null, ctx.runId(),
                ctx.runDate());
    }

    /** Population and embedding model kept from the parent; groups pending the drift check of the cluster stage. */
    public static IncrementalPlan incremental(String parentRunId, String groupsTrainedInRun, LocalDate groupsTrainedOn) {
        return new IncrementalPlan(parentRunId, new Level(false, "kept from parent run " + parentRunId),
                new Level(false, "pending: decided by the cluster stage"), null, groupsTrainedInRun, groupsTrainedOn);
    }

    public IncrementalPlan withGroups(boolean retrained, String reason, double drift, RunContext ctx) {
        return retrained
                ? new IncrementalPlan(parentRunId, population, new Level(true, reason), drift, ctx.runId(), ctx.runDate())
                : new IncrementalPlan(parentRunId, population, new Level(false, reason), drift, groupsTrainedInRun, groupsTrainedOn);
    }

    public boolean hasParent() {
        return parentRunId != null;
    }

    /** The embedding model and the population come from the parent. */
    public boolean reusesPopulation() {
        return hasParent() && !population.retrained();
    }

    /** The clustering, the group experts and the router come from the parent. */
    public boolean reusesGroups() {
        return hasParent() && !groups.retrained();
    }

    /** Only new and changed users are trained; the others keep the parent's adapters. */
    public boolean usersIncremental() {
        return reusesGroups();
    }

    /** Why users are (all) retrained when they are not incremental. */
    public String usersReason() {
        if (!hasParent()) return population.reason();
        if (population.retrained()) return "full refresh: " + population.reason();
        if (groups.retrained()) return "groups retrained: " + groups.reason();
        return "new or changed training interactions since parent run " + parentRunId;
    }

    /** The manifest's {@code retrained} block without the user counts (the user stage adds them). */
    public Map<String, Object> toManifest() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("population", population.toMap());
        Map<String, Object> g = groups.toMap();
        g.put("drift", drift);
        g.put("trained_in_run", groupsTrainedInRun);
        g.put("trained_on", groupsTrainedOn == null ? null : groupsTrainedOn.toString());
        m.put("groups", g);
        return m;
    }

    public void save(RunContext ctx) {
        new ArtifactStore(ctx.layout(), ctx.hadoopConf()).put(ARTIFACT, this);
    }

    /**
     * The plan of this run; a run whose embed stage predates plans (or a fork of one) is a full run without parent.
     */
    public static IncrementalPlan load(RunContext ctx) {
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        return store.has(ARTIFACT) ? store.get(ARTIFACT, IncrementalPlan.class) : full(null, "no parent run", ctx);
    }
}
