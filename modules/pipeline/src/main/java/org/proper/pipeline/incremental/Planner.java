package org.proper.pipeline.incremental;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.proper.pipeline.RunContext;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Decides at the embed stage whether a run with a parent is incremental (population, embedding model, clustering,
 * groups and router from the parent; only new and changed users trained) or a full refresh. A full refresh happens
 * when the groups are due by proper.incremental.groups-cadence-days, when a configuration section that shapes the
 * model differs from the parent's, or when the parent saved no embedding model (or the method cannot reuse one). The
 * drift check, which needs this run's embeddings, is the cluster stage's ({@link DriftCheck}).
 */
public final class Planner {
    /** Configuration sections that must equal the parent's for its adapters to be reused. */
    static final List<String> MODEL_SECTIONS = List.of("model", "lora", "train", "embed", "cluster", "ablation");
    /** The parent's fitted embedding model, under {@code <run>/model/}. */
    public static final String EMBEDDING_MODEL = "embedding";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Planner() {}

    public static IncrementalPlan plan(RunContext ctx, boolean embeddingReusable) {
        Optional<ParentRun> resolved = ParentRun.resolve(ctx);
        if (resolved.isEmpty()) {
            String setting = ctx.config().getString("proper.incremental.parent-run");
            return IncrementalPlan.full(null, setting.isEmpty() ? "no parent run"
                    : "no parent run: no published run before " + ctx.runDate() + " (parent-run = " + setting + ")", ctx);
        }
        ParentRun parent = resolved.get();
        String differs = configDifference(ctx, parent);
        if (differs != null) return IncrementalPlan.full(parent.runId(), differs, ctx);
        Map.Entry<String, LocalDate> trained = parent.groupsTrained();
        long days = ChronoUnit.DAYS.between(trained.getValue(), ctx.runDate());
        int cadence = ctx.config().getInt("proper.incremental.groups-cadence-days");
        if (days >= cadence) {
            return IncrementalPlan.full(parent.runId(), "cadence: groups were trained in run " + trained.getKey() + " on "
                    + trained.getValue() + ", " + days + " days before " + ctx.runDate() + " (groups-cadence-days = "
                    + cadence + ")", ctx);
        }
        if (!embeddingReusable) {
            return IncrementalPlan.full(parent.runId(), "embed.method " + ctx.config().getString("proper.embed.method")
                    + " cannot embed new users with a saved model", ctx);
        }
        if (!new ParentArtifacts(ctx, parent.layout()).parentHasModelDir(EMBEDDING_MODEL)) {
            return IncrementalPlan.full(parent.runId(), "parent run " + parent.runId() + " has no saved embedding model", ctx);
        }
        return IncrementalPlan.incremental(parent.runId(), trained.getKey(), trained.getValue());
    }

    /** Null when every model-shaping section equals the parent's, else a reason naming the sections that differ. */
    @SuppressWarnings("unchecked")
    static String configDifference(RunContext ctx, ParentRun parent) {
        Map<String, Object> mine;
        try {
            mine = JSON.readValue(ctx.config().toJson(), Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read this run's configuration as JSON: " + e.getMessage(), e);
        }
        List<String> differ = new ArrayList<>();
        for (String section : MODEL_SECTIONS) {
            if (!Objects.equals(mine.get(section), parent.configSection(section))) differ.add(section);
        }
        return differ.isEmpty() ? null : "configuration differs from parent run " + parent.runId() + "'s in " + differ;
    }
}
