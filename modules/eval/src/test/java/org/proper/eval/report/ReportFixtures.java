package org.proper.eval.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.proper.eval.metrics.TaskSpec;

/** A seeded, realistic-looking report: 8 groups, 400 users' entropies, three stages' losses, all nine methods. */
final class ReportFixtures {
    static final int GROUPS = 8;
    static final TaskSpec TAGS = TaskSpec.classification("tags", List.of("A", "B", "C", "D"));

    private ReportFixtures() {
    }

    static ReportData sample() {
        Random random = new Random(42);
        List<Long> sizes = new ArrayList<>();
        for (int k = 0; k < GROUPS; k++) {
            sizes.add(20L + random.nextInt(80));
        }
        List<Double> entropies = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            entropies.add(Math.min(Math.log(GROUPS), Math.abs(random.nextGaussian() * 0.5 + 0.8)));
        }
        Map<String, List<Double>> losses = new LinkedHashMap<>();
        losses.put("population", curve(random, 3.5, 60));
        losses.put("group", curve(random, 2.6, 40));
        losses.put("user", curve(random, 2.2, 30));
        TreeMap<Integer, Double> silhouetteByK = new TreeMap<>(Map.of(4, 0.21, 6, 0.27, 8, 0.31, 10, 0.26));
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("config hash", "3f9a<b>&c");
        facts.put("users", "400");
        return new ReportData("PROPER run <demo>", "demo-run", facts, sizes, 0.31, silhouetteByK, entropies, losses,
                List.of(table(random)));
    }

    static ComparisonTable table(Random random) {
        String[] labels = {"A", "B", "C", "D"};
        long[] profileLengths = {2, 3, 7, 12, 30, 45, 150, 4, 9, 60, 120, 1};
        List<ExampleResult> results = new ArrayList<>();
        for (int m = 0; m < Methods.ALL.size(); m++) {
            double skill = 0.3 + 0.07 * m;
            for (int u = 0; u < 120; u++) {
                String gold = labels[u % labels.length];
                String prediction = random.nextDouble() < skill ? gold : labels[random.nextInt(labels.length)];
                results.add(new ExampleResult(Methods.ALL.get(m), "u" + u, profileLengths[u % profileLengths.length],
                        gold, prediction));
            }
        }
        return ComparisonTableBuilder.of("synthetic <planted groups>", TAGS, results);
    }

    private static List<Double> curve(Random random, double start, int steps) {
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            losses.add(start * Math.exp(-i / 25.0) + 0.5 + random.nextDouble() * 0.1);
        }
        return losses;
    }
}
