package org.proper.eval.metrics;

import java.io.Serializable;
import java.util.HashSet;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Scores one (gold, prediction) pair of a task; stateless and serializable, so a Spark job can score in a map.
 * <ul>
 *   <li>classification: the prediction is stripped of surrounding whitespace (as LaMP's evaluation does) and must then
 *       equal a label of the set exactly; otherwise it is out of the set and wrong. A gold outside the set is an
 *       error (the data step quarantines those).</li>
 *   <li>rating: see {@link RatingParser}; a non-numeric answer counts as the range end farthest from the gold. A
 *       non-numeric gold is an error.</li>
 *   <li>generation: {@link Rouge} on the raw strings.</li>
 * </ul>
 */
public final class ExampleScorer implements Serializable {
    private final TaskSpec task;
    private final Set<String> labelSet;

    public ExampleScorer(TaskSpec task) {
        if (task == null) {
            throw new IllegalArgumentException("Cannot create scorer: task is null");
        }
        this.task = task;
        this.labelSet = new HashSet<>(task.labels());
    }

    public TaskSpec task() {
        return task;
    }

    public ExampleScore score(String gold, String prediction) {
        if (gold == null) {
            throw new IllegalArgumentException("Cannot score an example of task '" + task.name() + "': gold is null");
        }
        String answer = prediction == null ? "" : prediction;
        return switch (task.kind()) {
            case CLASSIFICATION -> scoreLabel(gold, answer);
            case RATING -> scoreRating(gold, answer);
            case GENERATION -> new ExampleScore(TaskKind.GENERATION, null, null, false, Double.NaN,
                    Rouge.rouge1(gold, answer), Rouge.rougeL(gold, answer));
        };
    }

    private ExampleScore scoreLabel(String gold, String answer) {
        String goldLabel = gold.strip();
        if (!labelSet.contains(goldLabel)) {
            throw new IllegalArgumentException("Cannot score an example of task '" + task.name() + "': gold label '"
                    + gold + "' is not in the label set " + task.labels());
        }
        String predicted = answer.strip();
        String predictedLabel = labelSet.contains(predicted) ? predicted : null;
        return new ExampleScore(TaskKind.CLASSIFICATION, goldLabel, predictedLabel, goldLabel.equals(predictedLabel),
                Double.NaN, null, null);
    }

    private ExampleScore scoreRating(String gold, String answer) {
        OptionalDouble goldValue = RatingParser.parse(gold);
        if (goldValue.isEmpty()) {
            throw new IllegalArgumentException("Cannot score an example of task '" + task.name() + "': gold rating '"
                    + gold + "' is not a number");
        }
        double g = goldValue.getAsDouble();
        double p = RatingParser.parse(answer).orElse(RatingParser.farthestFrom(g, task));
        return new ExampleScore(TaskKind.RATING, null, null, false, Math.abs(p - g), null, null);
    }
}
