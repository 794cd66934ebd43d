package org.proper.jobs.cli;

import java.io.PrintWriter;
import java.util.Map;

import org.proper.common.ProperConfig;

/** What `proper run` prints at the end: per-stage times, the level-by-level metric, and where the outputs are. */
final class RunReport {
    private RunReport() {}

    @SuppressWarnings("unchecked")
    static void print(PrintWriter out, ProperConfig config, String runId, Map<String, Map<String, Object>> stages,
                      double seconds) {
        String root = config.getString("proper.warehouse") + "/runs/" + runId;
        out.println();
        out.printf("PROPER run %s finished in %.1f s%n", runId, seconds);
        out.println("  stage                 wall time");
        stages.forEach((name, s) -> out.printf("  %-20s %8.1f s%n", name,
                s.get("wall_ms") instanceof Number n ? n.doubleValue() / 1000 : Double.NaN));
        Map<String, Object> eval = stages.get("evaluate");
        if (eval != null && eval.get("by_method") instanceof Map<?, ?> m) {
            out.printf("%n  %s on %s queries (%s):%n", eval.get("main_metric"), eval.get("split"), eval.get("task"));
            for (Map.Entry<?, ?> e : ((Map<Object, Object>) m).entrySet()) {
                out.printf("  %-22s %.4f%n", e.getKey(), ((Number) e.getValue()).doubleValue());
            }
        }
        Map<String, Object> users = stages.get("train-users");
        Map<String, Object> embed = stages.get("embed");
        if (embed != null && embed.get("parent_run") != null && users != null && users.get("retrained") instanceof Map<?, ?> r) {
            out.printf("%n  parent run %s: %s user adapters retrained, %s kept (%s)%n", embed.get("parent_run"),
                    r.get("retrained"), r.get("kept"), r.get("reason"));
        }
        out.println();
        out.println("  outputs:   " + root + "/  (tables: interactions, quarantine, user_embeddings, user_groups, adapters, metrics)");
        out.println("  report:    " + root + "/report.html   comparison: " + root + "/report.md");
        out.println("  manifest:  " + root + "/_manifest.json");
        out.println("  inspect:   bin/proper inspect " + root);
        out.flush();
    }
}
