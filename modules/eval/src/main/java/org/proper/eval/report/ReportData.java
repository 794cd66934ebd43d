package org.proper.eval.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything {@link HtmlReport} plots; plain values the pipeline gathers from a run (no Spark types).
 *
 * @param title           page title, e.g. "PROPER run 2026-11-25"
 * @param runId           the run id
 * @param facts           key facts shown at the top in order (config hash, base model, counts …); may be empty
 * @param clusterSizes    users per group, index = group id; may be empty
 * @param silhouette      silhouette of the chosen clustering, NaN if unknown
 * @param silhouetteByK   silhouette per tried K (when K was chosen by silhouette); may be empty
 * @param routerEntropies entropy in nats of the router's group mixture, one value per user (or token); may be empty
 * @param lossCurves      training loss per step, per stage ("population", "group", "user" …) in stage order
 * @param tables          comparison tables, one per data set
 */
public record ReportData(String title, String runId, Map<String, String> facts, List<Long> clusterSizes,
                         double silhouette, SortedMap<Integer, Double> silhouetteByK, List<Double> routerEntropies,
                         Map<String, List<Double>> lossCurves, List<ComparisonTable> tables) {

    public ReportData {
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("Cannot create report data: title is blank");
        }
        if (runId == null || runId.isBlank()) {
            throw new IllegalArgumentException("Cannot create report data: runId is blank");
        }
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts == null ? Map.of() : facts));
        clusterSizes = clusterSizes == null ? List.of() : List.copyOf(clusterSizes);
        for (Long size : clusterSizes) {
            if (size < 0) {
                throw new IllegalArgumentException("Cannot create report data: clusterSizes has a negative size " + size);
            }
        }
        silhouetteByK = Collections.unmodifiableSortedMap(new TreeMap<>(silhouetteByK == null ? Map.of() : silhouetteByK));
        routerEntropies = routerEntropies == null ? List.of() : List.copyOf(routerEntropies);
        for (Double entropy : routerEntropies) {
            if (!Double.isFinite(entropy) || entropy < -1e-9) {
                throw new IllegalArgumentException("Cannot create report data: routerEntropies has an invalid entropy " + entropy);
            }
        }
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        if (lossCurves != null) {
            lossCurves.forEach((stage, losses) -> curves.put(stage, List.copyOf(losses)));
        }
        lossCurves = Collections.unmodifiableMap(curves);
        tables = tables == null ? List.of() : List.copyOf(tables);
    }
}
