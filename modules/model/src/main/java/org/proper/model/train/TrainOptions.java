package org.proper.model.train;

import java.io.Serializable;

/**
 * Optimizer, schedule and loop options. Validated on construction; errors name the option.
 *
 * @param steps       optimizer steps in this call
 * @param batchSize   examples per step (per user in user-level training)
 * @param lr          peak learning rate
 * @param weightDecay decoupled weight decay (AdamW); ignored for ADAM
 * @param warmupSteps linear warm-up steps
 * @param clipNorm    clip gradients to this global L2 norm (per user when users are stacked); 0 = off
 * @param patience    early stopping: stop after this many evaluations without dev-loss improvement; 0 = off
 * @param evalEvery   evaluate the dev loss every this many steps (when dev examples are given)
 * @param firstStep   schedule position of this call's first step (local SGD rounds continue the schedule)
 * @param totalSteps  schedule length; 0 = firstStep + steps
 * @param precision   FLOAT for training, DOUBLE for gradient checks
 */
public record TrainOptions(int steps, int batchSize, double lr, Optimizer optimizer, double weightDecay, double beta1,
                           double beta2, double eps, int warmupSteps, Schedule schedule, double minLrRatio,
                           double clipNorm, int patience, int evalEvery, long seed, int firstStep, int totalSteps,
                           Precision precision) implements Serializable {

    public enum Optimizer { ADAM, ADAMW }

    public enum Schedule { CONSTANT, LINEAR, COSINE }

    public enum Precision { FLOAT, DOUBLE }

    public TrainOptions {
        if (steps < 0) throw new IllegalArgumentException("Cannot train: steps must be >= 0, got " + steps);
        if (batchSize <= 0) throw new IllegalArgumentException("Cannot train: batchSize must be > 0, got " + batchSize);
        if (!(lr > 0)) throw new IllegalArgumentException("Cannot train: lr must be > 0, got " + lr);
        if (optimizer == null || schedule == null || precision == null)
            throw new IllegalArgumentException("Cannot train: optimizer, schedule and precision must be set");
        if (weightDecay < 0) throw new IllegalArgumentException("Cannot train: weightDecay must be >= 0, got " + weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Cannot train: beta1 must be in [0,1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Cannot train: beta2 must be in [0,1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("Cannot train: eps must be > 0, got " + eps);
        if (warmupSteps < 0) throw new IllegalArgumentException("Cannot train: warmupSteps must be >= 0, got " + warmupSteps);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) throw new IllegalArgumentException("Cannot train: minLrRatio must be in [0,1], got " + minLrRatio);
        if (clipNorm < 0) throw new IllegalArgumentException("Cannot train: clipNorm must be >= 0, got " + clipNorm);
        if (patience < 0) throw new IllegalArgumentException("Cannot train: patience must be >= 0, got " + patience);
        if (evalEvery <= 0) throw new IllegalArgumentException("Cannot train: evalEvery must be > 0, got " + evalEvery);
        if (firstStep < 0) throw new IllegalArgumentException("Cannot train: firstStep must be >= 0, got " + firstStep);
        if (totalSteps < 0) throw new IllegalArgumentException("Cannot train: totalSteps must be >= 0, got " + totalSteps);
    }

    /** AdamW lr 1e-3, wd 0.01, warm-up 10, cosine to 10%, clip 1.0, batch 8, 100 steps, seed 42, float. */
    public static TrainOptions defaults() {
        return new TrainOptions(100, 8, 1e-3, Optimizer.ADAMW, 0.01, 0.9, 0.999, 1e-8, 10, Schedule.COSINE, 0.1,
                1.0, 0, 10, 42L, 0, 0, Precision.FLOAT);
    }

    public TrainOptions withSteps(int s) {
        return new TrainOptions(s, batchSize, lr, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, patience, evalEvery, seed, firstStep, totalSteps, precision);
    }

    public TrainOptions withBatchSize(int b) {
        return new TrainOptions(steps, b, lr, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, patience, evalEvery, seed, firstStep, totalSteps, precision);
    }

    public TrainOptions withLr(double l) {
        return new TrainOptions(steps, batchSize, l, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, patience, evalEvery, seed, firstStep, totalSteps, precision);
    }

    public TrainOptions withSeed(long s) {
        return new TrainOptions(steps, batchSize, lr, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, patience, evalEvery, s, firstStep, totalSteps, precision);
    }

    public TrainOptions withSchedule(Schedule sc, int warmup) {
        return new TrainOptions(steps, batchSize, lr, optimizer, weightDecay, beta1, beta2, eps, warmup, sc, minLrRatio, clipNorm, patience, evalEvery, seed, firstStep, totalSteps, precision);
    }

    public TrainOptions withOptimizer(Optimizer o, double wd) {
        return new TrainOptions(steps, batchSize, lr, o, wd, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, patience, evalEvery, seed, firstStep, totalSteps, precision);
    }

    public TrainOptions withClipNorm(double c) {
        return new TrainOptions(steps, batchSize, lr, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, c, patience, evalEvery, seed, firstStep, totalSteps, precision);
    }

    public TrainOptions withEarlyStopping(int pat, int every) {
        return new TrainOptions(steps, batchSize, lr, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, pat, every, seed, firstStep, totalSteps, precision);
    }

    /** For local-SGD rounds: this call runs schedule steps [first, first+steps) of a total schedule. */
    public TrainOptions withScheduleWindow(int first, int total) {
        return new TrainOptions(steps, batchSize, lr, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, patience, evalEvery, seed, first, total, precision);
    }

    public TrainOptions withPrecision(Precision p) {
        return new TrainOptions(steps, batchSize, lr, optimizer, weightDecay, beta1, beta2, eps, warmupSteps, schedule, minLrRatio, clipNorm, patience, evalEvery, seed, firstStep, totalSteps, p);
    }

    /** Learning rate at schedule step s (0-based): linear warm-up, then constant / linear / cosine decay to minLrRatio·lr. */
    public double lrAt(int s) {
        int total = totalSteps > 0 ? totalSteps : firstStep + steps;
        if (warmupSteps > 0 && s < warmupSteps) return lr * (s + 1) / warmupSteps;
        if (schedule == Schedule.CONSTANT) return lr;
        double span = Math.max(1, total - warmupSteps);
        double p = Math.min(1.0, Math.max(0.0, (s - warmupSteps) / span));
        double f = schedule == Schedule.LINEAR ? 1 - p : 0.5 * (1 + Math.cos(Math.PI * p));
        return lr * (minLrRatio + (1 - minLrRatio) * f);
    }

    public org.nd4j.linalg.api.buffer.DataType dataType() {
        return precision == Precision.DOUBLE ? org.nd4j.linalg.api.buffer.DataType.DOUBLE : org.nd4j.linalg.api.buffer.DataType.FLOAT;
    }
}
