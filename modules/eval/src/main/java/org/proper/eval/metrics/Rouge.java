package org.proper.eval.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ROUGE-1 and ROUGE-L (sentence-level LCS, rouge-score's "rougeL", not "rougeLsum") as Google's {@code rouge-score}
 * computes them, over {@link RougeTokenizer} tokens:
 * <ul>
 *   <li>ROUGE-1: overlap = Σ_unigram min(count in target, count in prediction) (repeated tokens are clipped);
 *       P = overlap / max(|prediction|, 1), R = overlap / max(|target|, 1).</li>
 *   <li>ROUGE-L: P = LCS / |prediction|, R = LCS / |target|; 0 when either side has no tokens.</li>
 *   <li>F1 = 2PR / (P + R), 0 when P + R = 0 (so an empty prediction or an empty gold scores 0).</li>
 * </ul>
 */
public final class Rouge {
    private Rouge() {
    }

    public static RougeScore rouge1(String target, String prediction) {
        return rouge1(RougeTokenizer.tokenize(target), RougeTokenizer.tokenize(prediction));
    }

    public static RougeScore rougeL(String target, String prediction) {
        return rougeL(RougeTokenizer.tokenize(target), RougeTokenizer.tokenize(prediction));
    }

    public static RougeScore rouge1(List<String> target, List<String> prediction) {
        Map<String, Integer> targetCounts = counts(target);
        Map<String, Integer> predictionCounts = counts(prediction);
        long overlap = 0;
        for (Map.Entry<String, Integer> entry : predictionCounts.entrySet()) {
            overlap += Math.min(entry.getValue(), targetCounts.getOrDefault(entry.getKey(), 0));
        }
        double precision = (double) overlap / Math.max(prediction.size(), 1);
        double recall = (double) overlap / Math.max(target.size(), 1);
        return RougeScore.of(precision, recall);
    }

    public static RougeScore rougeL(List<String> target, List<String> prediction) {
        if (target.isEmpty() || prediction.isEmpty()) {
            return RougeScore.ZERO;
        }
        int lcs = lcsLength(target, prediction);
        return RougeScore.of((double) lcs / prediction.size(), (double) lcs / target.size());
    }

    /** Length of the longest common subsequence; O(|a|·|b|) time, O(|b|) memory. */
    static int lcsLength(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            String ai = a.get(i - 1);
            for (int j = 1; j <= b.size(); j++) {
                current[j] = ai.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.size()];
    }

    private static Map<String, Integer> counts(List<String> tokens) {
        Map<String, Integer> counts = new HashMap<>();
        for (String token : tokens) {
            counts.merge(token, 1, Integer::sum);
        }
        return counts;
    }
}
