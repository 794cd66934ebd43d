package org.proper.eval.metrics;

/**
 * Adjusted Rand index (Hubert &amp; Arabie 1985) of two partitions of the same items, from their contingency table
 * (so that a Spark job can count the cells and only the small table reaches the driver). 1 for identical partitions,
 * about 0 for independent ones, negative below chance; as scikit-learn's {@code adjusted_rand_score}.
 */
public final class AdjustedRandIndex {
    private AdjustedRandIndex() {}

    /** @param counts counts[i][j] = items in cluster i of one partition and cluster j of the other */
    public static double of(long[][] counts) {
        double cells = 0, rows = 0, n = 0;
        int width = 0;
        for (long[] row : counts) width = Math.max(width, row.length);
        double[] colTotals = new double[width];
        for (long[] row : counts) {
            long rowTotal = 0;
            for (int j = 0; j < row.length; j++) {
                if (row[j] < 0) throw new IllegalArgumentException("Cannot compute the adjusted Rand index: negative count " + row[j]);
                cells += pairs(row[j]);
                rowTotal += row[j];
                colTotals[j] += row[j];
            }
            rows += pairs(rowTotal);
            n += rowTotal;
        }
        if (n < 2) throw new IllegalArgumentException("Cannot compute the adjusted Rand index of fewer than 2 items");
        double cols = 0;
        for (double c : colTotals) cols += pairs(c);
        double expected = rows * cols / pairs(n);
        double max = (rows + cols) / 2;
        if (max == expected) return 1.0;   // both partitions trivial (one cluster, or all singletons): identical
        return (cells - expected) / (max - expected);
    }

    /** ARI of two label arrays of the same items (labels are small non-negative ints). */
    public static double of(int[] a, int[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("Cannot compute the adjusted Rand index: " + a.length + " vs " + b.length + " labels");
        int ka = 0, kb = 0;
        for (int i = 0; i < a.length; i++) {
            ka = Math.max(ka, a[i] + 1);
            kb = Math.max(kb, b[i] + 1);
        }
        long[][] counts = new long[ka][kb];
        for (int i = 0; i < a.length; i++) counts[a[i]][b[i]]++;
        return of(counts);
    }

    private static double pairs(double n) {
        return n * (n - 1) / 2;
    }
}
