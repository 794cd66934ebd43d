package org.proper.data.task;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a task's records become text-to-text examples: which profile field is the answer, which fields fill the prompt
 * template's {@code {field}} placeholders, and what kind of answer it is.
 *
 * @param task        task name (e.g. LaMP_2, commit-component)
 * @param kind        classification, rating or generation
 * @param answerField the profile field holding the answer (e.g. tag)
 * @param inputFields the profile fields the template uses, each as {@code {name}}
 * @param template    prompt template; its placeholders must be exactly {@code inputFields}
 * @param labels      the closed label set (classification only, otherwise empty)
 * @param ratingMin   lowest rating (rating only, otherwise 0)
 * @param ratingMax   highest rating (rating only, otherwise 0)
 * @param profileAnswersAreLabels whether profile answers must also be valid labels/ratings (false for LaMP_1, whose
 *                    profile items are titles while its queries are [1]/[2] choices)
 */
public record TaskMapping(String task, TaskKind kind, String answerField, List<String> inputFields, String template,
                          List<String> labels, int ratingMin, int ratingMax, boolean profileAnswersAreLabels)
        implements Serializable {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    public TaskMapping {
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("Cannot create task mapping: option 'task' is empty");
        }
        if (kind == null) {
            throw new IllegalArgumentException("Cannot create task mapping for " + task + ": option 'kind' is missing");
        }
        if (answerField == null || answerField.isBlank()) {
            throw new IllegalArgumentException("Cannot create task mapping for " + task + ": option 'answerField' is empty");
        }
        inputFields = List.copyOf(inputFields == null ? List.of() : inputFields);
        labels = List.copyOf(labels == null ? List.of() : labels);
        if (template == null) {
            throw new IllegalArgumentException("Cannot create task mapping for " + task + ": option 'template' is missing");
        }
        Set<String> used = placeholders(template);
        if (!used.equals(new LinkedHashSet<>(inputFields))) {
            throw new IllegalArgumentException("Cannot create task mapping for " + task + ": option 'template' uses "
                    + used + " but option 'inputFields' is " + inputFields);
        }
        if (kind == TaskKind.CLASSIFICATION && labels.size() < 2) {
            throw new IllegalArgumentException("Cannot create task mapping for " + task
                    + ": option 'labels' needs at least 2 labels for classification, got " + labels);
        }
        if (kind != TaskKind.CLASSIFICATION && !labels.isEmpty()) {
            throw new IllegalArgumentException("Cannot create task mapping for " + task
                    + ": option 'labels' is only allowed for classification");
        }
        if (kind == TaskKind.RATING && ratingMin >= ratingMax) {
            throw new IllegalArgumentException("Cannot create task mapping for " + task + ": option 'ratingMin' ("
                    + ratingMin + ") must be below 'ratingMax' (" + ratingMax + ")");
        }
    }

    public static TaskMapping classification(String task, String answerField, List<String> inputFields, String template,
                                             List<String> labels) {
        return new TaskMapping(task, TaskKind.CLASSIFICATION, answerField, inputFields, template, labels, 0, 0, true);
    }

    public static TaskMapping rating(String task, String answerField, List<String> inputFields, String template,
                                     int min, int max) {
        return new TaskMapping(task, TaskKind.RATING, answerField, inputFields, template, List.of(), min, max, true);
    }

    public static TaskMapping generation(String task, String answerField, List<String> inputFields, String template) {
        return new TaskMapping(task, TaskKind.GENERATION, answerField, inputFields, template, List.of(), 0, 0, false);
    }

    /** The same mapping with profile answers not checked against the label set / range. */
    public TaskMapping withUncheckedProfileAnswers() {
        return new TaskMapping(task, kind, answerField, inputFields, template, labels, ratingMin, ratingMax, false);
    }

    /** Renders the template with a record's fields; a field absent from {@code fields} is an error. */
    public String render(Map<String, String> fields) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = fields.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("Cannot render template of " + task + ": field '" + m.group(1) + "' missing");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Null when {@code answer} is acceptable for this task, else why not (label outside the set, rating out of range). */
    public String answerProblem(String answer) {
        switch (kind) {
            case CLASSIFICATION:
                return labels.contains(answer) ? null : "label '" + answer + "' is not one of " + labels;
            case RATING:
                try {
                    int r = Integer.parseInt(answer.trim());
                    return r >= ratingMin && r <= ratingMax ? null
                            : "rating " + r + " outside [" + ratingMin + ", " + ratingMax + "]";
                } catch (NumberFormatException e) {
                    return "rating '" + answer + "' is not an integer";
                }
            default:
                return null;
        }
    }

    /** Every field a profile item must carry: the input fields and the answer field. */
    public List<String> requiredFields() {
        List<String> all = new ArrayList<>(inputFields);
        if (!all.contains(answerField)) {
            all.add(answerField);
        }
        return all;
    }

    /** A readable one-paragraph description, printed when a mapping is inferred. */
    public String describe() {
        StringBuilder s = new StringBuilder("task ").append(task).append(": kind=").append(kind.tableValue())
                .append(", answer field=").append(answerField).append(", input fields=").append(inputFields);
        if (kind == TaskKind.CLASSIFICATION) {
            s.append(", labels=").append(labels);
        } else if (kind == TaskKind.RATING) {
            s.append(", range=[").append(ratingMin).append(", ").append(ratingMax).append(']');
        }
        return s.append(", template=\"").append(template).append('"').toString();
    }

    static Set<String> placeholders(String template) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
