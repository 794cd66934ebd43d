package org.proper.pipeline.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        Map<Integer, Map<Integer, Integer>> counts = contingency(plantedAndPredicted);
        Map<Integer, Integer> planted = new HashMap<>();
        double sumCells = 0;
        double sumPredicted = 0;
        for (Map<Integer, Integer> byPlanted : counts.values()) {
            int rowTotal = 0;
            for (Map.Entry<Integer, Integer> e : byPlanted.entrySet()) {
                sumCells += pairs(e.getValue());
                rowTotal += e.getValue();
                planted.merge(e.getKey(), e.getValue(), Integer::sum);
            }
            sumPredicted += pairs(rowTotal);
        }
        double sumPlanted = planted.values().stream().mapToDouble(ClusterAgreement::pairs).sum();
        double expected = sumPredicted * sumPlanted / pairs(plantedAndPredicted.size());
        double max = (sumPredicted + sumPlanted) / 2;
        return (sumCells - expected) / (max - expected);
    }

    /** predicted → planted → count */
    private static Map<Integer, Map<Integer, Integer>> contingency(List<int[]> plantedAndPredicted) {
        Map<Integer, Map<Integer, Integer>> counts = new HashMap<>();
        for (int[] pp : plantedAndPredicted) {
            counts.computeIfAbsent(pp[1], k -> new HashMap<>()).merge(pp[0], 1, Integer::sum);
        }
        return counts;
    }

    private static double pairs(double n) {
        return n * (n - 1) / 2;
    }
}
