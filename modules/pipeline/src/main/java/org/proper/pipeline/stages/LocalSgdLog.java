package org.proper.pipeline.stages;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress lines for local-SGD rounds. */
final class LocalSgdLog {
    private static final Logger LOG = LoggerFactory.getLogger("org.proper.pipeline.train");

    private LocalSgdLog() {}

    static void round(String what, int round, int rounds, double meanLoss, long startNanos) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double eta = elapsed / (round + 1) * (rounds - round - 1);
        LOG.info("{}: round {}/{} mean local loss {} ({} s elapsed, ETA {} s)", what, round + 1, rounds,
                String.format("%.4f", meanLoss), String.format("%.1f", elapsed), String.format("%.0f", eta));
    }
}
