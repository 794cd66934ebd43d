package org.proper.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic minibatches: a seeded shuffle per epoch, consumed in order. */
final class EpochSampler {
    private final int n;
    private final SplittableRandom rnd;
    private int[] order;
    private int pos;

    EpochSampler(int n, long seed) {
        if (n <= 0) throw new IllegalArgumentException("Cannot sample batches: no examples");
        this.n = n;
        this.rnd = new SplittableRandom(seed);
        reshuffle();
    }

    private void reshuffle() {
        order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        pos = 0;
    }

    /** The next min(size, n) distinct indices. */
    int[] next(int size) {
        int k = Math.min(size, n);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            if (pos == n) reshuffle();
            out[i] = order[pos++];
        }
        return out;
    }

    static <T> List<T> pick(List<T> xs, int[] idx) {
        List<T> out = new ArrayList<>(idx.length);
        for (int i : idx) out.add(xs.get(i));
        return out;
    }

    /** Per-user seed, identical in the batched and one-by-one paths. */
    static long seedFor(long seed, String userId) {
        long h = seed * 0x9E3779B97F4A7C15L + userId.hashCode();
        h ^= (h >>> 33);
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }
}
