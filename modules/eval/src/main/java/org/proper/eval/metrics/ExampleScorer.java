package org.proper.eval.metrics;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
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
 *   <li>generation: {@link Rouge} over {@link RougeTokenizer} tokens of the raw strings; Porter stemming only when
 *       asked for ({@code rouge-score}'s {@code use_stemmer}; off by default, as in LaMP's evaluation).</li>
 * </ul>
 */
public final class ExampleScorer implements Serializable {
    private final TaskSpec task;
    private final Set<String> labelSet;
    private final boolean rougeStemming;

    /** A scorer without ROUGE stemming. */
    public ExampleScorer(TaskSpec task) {
        this(task, false);
    }

    public ExampleScorer(TaskSpec task, boolean rougeStemming) {
        if (task == null) {
            throw new IllegalArgumentException("Cannot create scorer: task is null");
        }
        this.task = task;
        this.labelSet = new HashSet<>(task.labels());
        this.rougeStemming = rougeStemming;
    }

    public boolean rougeStemming() {
        return rougeStemming;
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
            case GENERATION -> scoreText(gold, answer);
        };
    }

    private ExampleScore scoreText(String gold, String answer) {
        List<String> target = RougeTokenizer.tokenize(gold, rougeStemming);
        List<String> prediction = RougeTokenizer.tokenize(answer, rougeStemming);
        return new ExampleScore(TaskKind.GENERATION, null, null, false, Double.NaN,
                Rouge.rouge1(target, prediction), Rouge.rougeL(target, prediction));
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
