package org.proper.model.train;

/**
 * Early-stopping bookkeeping for one dev-loss series: the best loss so far and how many evaluations in a row failed to
 * improve on it. Patience 0 records the series but never stops.
 */
final class Patience {
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    Patience(int patience) {
        this.patience = patience;
    }

    /** Records a dev loss; true when it is the best so far (a NaN loss never is). */
    boolean improved(double loss) {
        if (loss < best) {
            best = loss;
            bad = 0;
            return true;
        }
        bad++;
        return false;
    }

    /** True once {@code patience} evaluations in a row have not improved (never when patience is 0). */
    boolean exhausted() {
        return patience > 0 && bad >= patience;
    }

    /** Whether the best parameters need keeping (stopping is on). */
    boolean keepsBest() {
        return patience > 0;
    }
}
