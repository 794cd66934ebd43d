package org.proper.pipeline.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.proper.eval.metrics.AdjustedRandIndex;

/** Purity and adjusted Rand index of predicted vs planted labels (test helper). */
final class ClusterAgreement {
    private ClusterAgreement() {}

    static double purity(List<int[]> plantedAndPredicted) {
        Map<Integer, Map<Integer, Integer>> counts = contingency(plantedAndPredicted);
        int correct = 0;
        for (Map<Integer, Integer> byPlanted : counts.values()) {
            correct += byPlanted.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
        return (double) correct / plantedAndPredicted.size();
    }

    static double adjustedRandIndex(List<int[]> plantedAndPredicted) {
        int[] planted = plantedAndPredicted.stream().mapToInt(pp -> pp[0]).toArray();
        int[] predicted = plantedAndPredicted.stream().mapToInt(pp -> pp[1]).toArray();
        return AdjustedRandIndex.of(planted, predicted);
    }

    /** predicted → planted → count */
    private static Map<Integer, Map<Integer, Integer>> contingency(List<int[]> plantedAndPredicted) {
        Map<Integer, Map<Integer, Integer>> counts = new HashMap<>();
        for (int[] pp : plantedAndPredicted) {
            counts.computeIfAbsent(pp[1], k -> new HashMap<>()).merge(pp[0], 1, Integer::sum);
        }
        return counts;
    }
}
