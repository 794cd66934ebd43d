package org.proper.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Values worked out by hand (and as scikit-learn's adjusted_rand_score gives them). */
class AdjustedRandIndexTest {

    @Test
    void identicalPartitionsUnderOtherNamesScoreOne() {
        assertEquals(1.0, AdjustedRandIndex.of(new int[]{0, 0, 1, 1, 2}, new int[]{2, 2, 0, 0, 1}), 1e-12);
    }

    @Test
    void splittingOneClusterScoresFourSevenths() {
        // pairs: together in both 1 (items 0,1); rows 1+1=2, cols 1+0+0=1 of 6 pairs -> (1 - 2/6) / (1.5 - 2/6) = 4/7
        assertEquals(4.0 / 7.0, AdjustedRandIndex.of(new int[]{0, 0, 1, 1}, new int[]{0, 0, 1, 2}), 1e-12);
    }

    @Test
    void crossedPartitionsScoreBelowChance() {
        // no pair together in both; expected 2*2/6 -> (0 - 2/3) / (2 - 2/3) = -1/2
        assertEquals(-0.5, AdjustedRandIndex.of(new int[]{0, 0, 1, 1}, new int[]{0, 1, 0, 1}), 1e-12);
    }

    @Test
    void contingencyTableGivesTheSameAsLabels() {
        long[][] counts = {{2, 0}, {0, 1}, {0, 1}};   // the 4/7 case, rows = second labelling
        assertEquals(4.0 / 7.0, AdjustedRandIndex.of(counts), 1e-12);
    }

    @Test
    void oneClusterOnBothSidesIsAPerfectMatch() {
        assertEquals(1.0, AdjustedRandIndex.of(new int[]{0, 0, 0}, new int[]{0, 0, 0}), 1e-12);
    }

    @Test
    void fewerThanTwoItemsOrMismatchedLengthsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> AdjustedRandIndex.of(new int[]{0}, new int[]{0}));
        assertThrows(IllegalArgumentException.class, () -> AdjustedRandIndex.of(new int[]{0, 1}, new int[]{0}));
    }
}
