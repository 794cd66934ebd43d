package org.proper.data.task;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Infers a {@link TaskMapping} for a task that has no predefined one, from a small sample of golds and profile items.
 *
 * <p>The answer field is the profile field whose values look most like the golds: the share of golds that occur among
 * the field's values, then the closeness of median lengths. A small closed set of golds is classification (labels = the
 * golds ∪ that field's profile values), integers spanning at most {@value #MAX_RATING_SPAN}+1 values are a rating,
 * anything else is generation. The other text fields (not id/date) become the template's inputs.
 */
public final class TaskInference {

    static final int MAX_RATING_SPAN = 10;
    static final int MAX_LABELS = 50;
    static final Set<String> NON_CONTENT_FIELDS = Set.of("id", "date", "time", "timestamp", "user_id");

    private TaskInference() {}

    public static TaskMapping infer(String task, List<String> golds, List<Map<String, String>> profileItems) {
        if (golds.isEmpty()) {
            throw new IllegalArgumentException("Cannot infer mapping of task " + task + ": no golds to learn from");
        }
        Map<String, List<String>> byField = new LinkedHashMap<>();
        for (Map<String, String> item : profileItems) {
            item.forEach((k, v) -> {
                if (!NON_CONTENT_FIELDS.contains(k) && v != null) {
                    byField.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                }
            });
        }
        if (byField.isEmpty()) {
            throw new IllegalArgumentException("Cannot infer mapping of task " + task + ": profile items have no content fields");
        }
        String answer = null;
        double best = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, List<String>> e : byField.entrySet()) {
            double score = similarity(golds, e.getValue());
            if (score > best) {
                best = score;
                answer = e.getKey();
            }
        }
        List<String> inputs = new ArrayList<>(byField.keySet());
        inputs.remove(answer);
        List<String> answerValues = byField.get(answer);

        Set<String> goldSet = new TreeSet<>(golds);
        Set<String> union = new TreeSet<>(goldSet);
        union.addAll(answerValues);
        if (allIntegers(union)) {
            int min = union.stream().mapToInt(s -> Integer.parseInt(s.trim())).min().orElseThrow();
            int max = union.stream().mapToInt(s -> Integer.parseInt(s.trim())).max().orElseThrow();
            if (max > min && max - min <= MAX_RATING_SPAN) {
                return TaskMapping.rating(task, answer, inputs, template(inputs, "Answer with a number from " + min
                        + " to " + max + " and nothing else."), min, max);
            }
        }
        boolean closedSet = goldSet.size() >= 2 && union.size() <= MAX_LABELS
                && goldSet.size() <= Math.max(2, golds.size() / 2);
        if (closedSet) {
            List<String> labels = new ArrayList<>(union);
            return TaskMapping.classification(task, answer, inputs,
                    template(inputs, "Answer with one of [" + String.join(", ", labels) + "] and nothing else."), labels);
        }
        return TaskMapping.generation(task, answer, inputs, template(inputs, ""));
    }

    private static String template(List<String> inputs, String instruction) {
        StringBuilder t = new StringBuilder(instruction);
        for (String f : inputs) {
            t.append(t.length() == 0 ? "" : " ").append(f).append(": {").append(f).append('}');
        }
        return t.toString();
    }

    /** Share of golds found among the values, plus up to 1 for similar median length. */
    static double similarity(Collection<String> golds, Collection<String> values) {
        Set<String> valueSet = new HashSet<>(values);
        long hits = golds.stream().filter(valueSet::contains).count();
        double overlap = (double) hits / golds.size();
        double lg = Math.log1p(median(golds)), lv = Math.log1p(median(values));
        double lengthCloseness = Math.max(0, 1 - Math.abs(lg - lv));
        return 2 * overlap + lengthCloseness;
    }

    private static double median(Collection<String> xs) {
        int[] lens = xs.stream().mapToInt(String::length).sorted().toArray();
        return lens.length == 0 ? 0 : lens[lens.length / 2];
    }

    private static boolean allIntegers(Collection<String> xs) {
        for (String s : xs) {
            if (!s.trim().matches("-?\\d{1,6}")) {
                return false;
            }
        }
        return !xs.isEmpty();
    }
}
