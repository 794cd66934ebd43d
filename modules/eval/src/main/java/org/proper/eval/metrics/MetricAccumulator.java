package org.proper.eval.metrics;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums {@link ExampleScore}s of one task into its metrics. Mergeable and serializable, so per-method, per-bucket and
 * per-user aggregates can be built anywhere (a loop here, {@code aggregateByKey} in Spark) and combined.
 * <ul>
 *   <li>accuracy = correct / n (an out-of-set answer is wrong).</li>
 *   <li>macro-F1 as scikit-learn's {@code f1_score(gold, pred, labels=L, average="macro")} with
 *       L = (golds ∪ predictions) ∩ label set: per label F1 = 2·TP / (2·TP + FP + FN), averaged over L with equal
 *       weights. An out-of-set prediction adds a false negative to its gold label and no false positive anywhere.
 *       Labels of the set that occur in neither golds nor predictions are left out (they would add a 0).</li>
 *   <li>MAE = Σ|e| / n, RMSE = sqrt(Σe² / n).</li>
 *   <li>ROUGE-1 / ROUGE-L = mean per-example F1 (the mean that rouge-score's bootstrap aggregator estimates).</li>
 * </ul>
 */
public final class MetricAccumulator implements Serializable {
    private final TaskSpec task;
    private final Map<String, Integer> labelIndex = new HashMap<>();
    private final long[] truePositives;
    private final long[] falsePositives;
    private final long[] falseNegatives;
    private long n;
    private long correct;
    private double sumAbsoluteError;
    private double sumSquaredError;
    private double sumRouge1;
    private double sumRougeL;

    public MetricAccumulator(TaskSpec task) {
        if (task == null) {
            throw new IllegalArgumentException("Cannot create metric accumulator: task is null");
        }
        this.task = task;
        List<String> labels = task.labels();
        for (int i = 0; i < labels.size(); i++) {
            labelIndex.put(labels.get(i), i);
        }
        truePositives = new long[labels.size()];
        falsePositives = new long[labels.size()];
        falseNegatives = new long[labels.size()];
    }

    public TaskSpec task() {
        return task;
    }

    public long count() {
        return n;
    }

    public MetricAccumulator add(ExampleScore score) {
        if (score.kind() != task.kind()) {
            throw new IllegalArgumentException("Cannot add a " + score.kind().contractName() + " score to the "
                    + task.kind().contractName() + " accumulator of task '" + task.name() + "'");
        }
        n++;
        switch (task.kind()) {
            case CLASSIFICATION -> {
                Integer gold = labelIndex.get(score.goldLabel());
                if (gold == null) {
                    throw new IllegalArgumentException("Cannot add a score of task '" + task.name()
                            + "': gold label '" + score.goldLabel() + "' is not in the label set");
                }
                Integer predicted = score.predictedLabel() == null ? null : labelIndex.get(score.predictedLabel());
                if (score.correct()) {
                    correct++;
                    truePositives[gold]++;
                } else {
                    falseNegatives[gold]++;
                    if (predicted != null) {
                        falsePositives[predicted]++;
                    }
                }
            }
            case RATING -> {
                sumAbsoluteError += score.absoluteError();
                sumSquaredError += score.absoluteError() * score.absoluteError();
            }
            case GENERATION -> {
                sumRouge1 += score.rouge1().f1();
                sumRougeL += score.rougeL().f1();
            }
        }
        return this;
    }

    /** Adds the other accumulator's counts to this one (same task); returns this. */
    public MetricAccumulator merge(MetricAccumulator other) {
        if (!other.task.equals(task)) {
            throw new IllegalArgumentException("Cannot merge accumulators of different tasks: '" + task.name()
                    + "' and '" + other.task.name() + "'");
        }
        n += other.n;
        correct += other.correct;
        for (int i = 0; i < truePositives.length; i++) {
            truePositives[i] += other.truePositives[i];
            falsePositives[i] += other.falsePositives[i];
            falseNegatives[i] += other.falseNegatives[i];
        }
        sumAbsoluteError += other.sumAbsoluteError;
        sumSquaredError += other.sumSquaredError;
        sumRouge1 += other.sumRouge1;
        sumRougeL += other.sumRougeL;
        return this;
    }

    public MetricValues result() {
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        double count = n;
        switch (task.kind()) {
            case CLASSIFICATION -> {
                values.put(Metric.ACCURACY, n == 0 ? Double.NaN : correct / count);
                values.put(Metric.MACRO_F1, macroF1());
            }
            case RATING -> {
                values.put(Metric.MAE, n == 0 ? Double.NaN : sumAbsoluteError / count);
                values.put(Metric.RMSE, n == 0 ? Double.NaN : Math.sqrt(sumSquaredError / count));
            }
            case GENERATION -> {
                values.put(Metric.ROUGE_1, n == 0 ? Double.NaN : sumRouge1 / count);
                values.put(Metric.ROUGE_L, n == 0 ? Double.NaN : sumRougeL / count);
            }
        }
        return new MetricValues(values, n);
    }

    private double macroF1() {
        double sum = 0;
        int labels = 0;
        for (int i = 0; i < truePositives.length; i++) {
            long denominator = 2 * truePositives[i] + falsePositives[i] + falseNegatives[i];
            if (denominator > 0) { // the label occurs as a gold or a prediction
                sum += 2.0 * truePositives[i] / denominator;
                labels++;
            }
        }
        return labels == 0 ? Double.NaN : sum / labels;
    }

    /** Scores and aggregates a list of (gold, prediction) pairs in one go. */
    public static MetricValues evaluate(TaskSpec task, List<String> golds, List<String> predictions) {
        if (golds.size() != predictions.size()) {
            throw new IllegalArgumentException("Cannot evaluate task '" + task.name() + "': " + golds.size()
                    + " golds but " + predictions.size() + " predictions");
        }
        ExampleScorer scorer = new ExampleScorer(task);
        MetricAccumulator accumulator = new MetricAccumulator(task);
        for (int i = 0; i < golds.size(); i++) {
            accumulator.add(scorer.score(golds.get(i), predictions.get(i)));
        }
        return accumulator.result();
    }
}
