package org.proper.model.train;

import java.io.Serializable;
import java.util.List;

/**
 * Trained parameters plus provenance of the run: training loss per step (answer-token CE, before the step's update),
 * dev loss per evaluation, steps actually run (early stopping may end sooner).
 */
public record TrainResult<T>(T params, List<Double> loss, List<Double> devLoss, int steps) implements Serializable {
    public double firstLoss() {
        return loss.isEmpty() ? Double.NaN : loss.get(0);
    }

    public double lastLoss() {
        return loss.isEmpty() ? Double.NaN : loss.get(loss.size() - 1);
    }
}
