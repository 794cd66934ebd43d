package org.proper.eval.baseline;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.proper.eval.metrics.RatingParser;
import org.proper.eval.metrics.TaskSpec;

/**
 * The non-neural personalized baseline "user-majority": a user's answer from its own training answers only.
 * <ul>
 *   <li>classification: the user's most frequent training label (outputs outside the label set are ignored); a tie
 *       goes to the label the user used first (chronologically, as Python's {@code Counter.most_common} does on a
 *       history in time order), which reproduces the 0.714 test accuracy of arrow-components' README.</li>
 *   <li>rating: the mean of the user's numeric training ratings, written with up to 4 decimals.</li>
 *   <li>generation: the user's most recent training output (latest timestamp, then highest position) — the
 *       simplest "what this user writes" baseline.</li>
 * </ul>
 * A user without usable history gets the fallback of {@link #fit}: the global majority label (tie: label-set order),
 * the global mean rating, or the empty answer for generation. {@link #predictUser} works on one user's history, so a
 * Spark job can run it per group without collecting users on the driver.
 */
public final class UserMajority implements Serializable {
    private final TaskSpec task;
    private final Map<String, String> predictions;
    private final String fallback;

    private UserMajority(TaskSpec task, Map<String, String> predictions, String fallback) {
        this.task = task;
        this.predictions = predictions;
        this.fallback = fallback;
    }

    /** Fits every user of the training outputs (in memory; for benchmarks and tests). */
    public static UserMajority fit(TaskSpec task, Iterable<TrainingOutput> training) {
        if (task == null) {
            throw new IllegalArgumentException("Cannot fit user-majority: task is null");
        }
        Map<String, List<TrainingOutput>> byUser = new LinkedHashMap<>();
        List<TrainingOutput> all = new ArrayList<>();
        for (TrainingOutput output : training) {
            byUser.computeIfAbsent(output.userId(), u -> new ArrayList<>()).add(output);
            all.add(output);
        }
        Map<String, String> predictions = new HashMap<>();
        byUser.forEach((user, history) -> predictUser(task, history).ifPresent(p -> predictions.put(user, p)));
        return new UserMajority(task, predictions, globalFallback(task, all));
    }

    /** The user's prediction, or the fallback where the user had no usable training output. */
    public String predict(String userId) {
        return predictions.getOrDefault(userId, fallback);
    }

    public boolean knows(String userId) {
        return predictions.containsKey(userId);
    }

    public String fallback() {
        return fallback;
    }

    public TaskSpec task() {
        return task;
    }

    /** One user's prediction from its history (any order), empty where it has no usable output. */
    public static Optional<String> predictUser(TaskSpec task, List<TrainingOutput> history) {
        List<TrainingOutput> chronological = new ArrayList<>(history);
        chronological.sort(TrainingOutput.CHRONOLOGICAL);
        return switch (task.kind()) {
            case CLASSIFICATION -> majorityLabel(task, chronological);
            case RATING -> meanRating(chronological).stream().mapToObj(UserMajority::formatRating).findFirst();
            case GENERATION -> chronological.isEmpty()
                    ? Optional.empty() : Optional.of(chronological.get(chronological.size() - 1).output());
        };
    }

    private static Optional<String> majorityLabel(TaskSpec task, List<TrainingOutput> chronological) {
        Set<String> labels = new HashSet<>(task.labels());
        Map<String, Integer> counts = new LinkedHashMap<>(); // first-use order decides ties
        for (TrainingOutput output : chronological) {
            String label = output.output().strip();
            if (labels.contains(label)) {
                counts.merge(label, 1, Integer::sum);
            }
        }
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, Integer> entry : counts.entrySet()) {
            if (entry.getValue() > bestCount) {
                best = entry.getKey();
                bestCount = entry.getValue();
            }
        }
        return Optional.ofNullable(best);
    }

    private static OptionalDouble meanRating(List<TrainingOutput> outputs) {
        return outputs.stream().map(o -> RatingParser.parse(o.output()))
                .filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).average();
    }

    private static String globalFallback(TaskSpec task, List<TrainingOutput> all) {
        return switch (task.kind()) {
            case CLASSIFICATION -> {
                Map<String, Integer> counts = new HashMap<>();
                for (TrainingOutput output : all) {
                    counts.merge(output.output().strip(), 1, Integer::sum);
                }
                String best = task.labels().get(0);
                for (String label : task.labels()) {
                    if (counts.getOrDefault(label, 0) > counts.getOrDefault(best, 0)) {
                        best = label;
                    }
                }
                yield best;
            }
            case RATING -> {
                OptionalDouble mean = meanRating(all);
                yield formatRating(mean.orElse((task.minRating() + task.maxRating()) / 2));
            }
            case GENERATION -> "";
        };
    }

    static String formatRating(double rating) {
        String text = String.format(Locale.ROOT, "%.4f", rating);
        text = text.replaceAll("0+$", "");
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
