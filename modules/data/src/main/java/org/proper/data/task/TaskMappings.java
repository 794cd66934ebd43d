package org.proper.data.task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Predefined task mappings: the LaMP benchmark's seven tasks (profile fields as LaMP publishes them), the two real
 * data sets in ../shared/data, and the synthetic generator's three tasks.
 */
public final class TaskMappings {

    public static final List<String> ARROW_COMPONENTS = List.of("C++", "Python", "R", "CI", "Java", "Rust", "Go",
            "Docs", "GLib", "Release", "Packaging", "C#", "JS", "Ruby", "Dev");
    public static final List<String> LAMP2_MOVIE_TAGS = List.of("sci-fi", "based on a book", "comedy", "action",
            "twist ending", "dystopia", "dark comedy", "classic", "psychology", "fantasy", "romance",
            "thought-provoking", "social commentary", "violence", "true story");

    private static final Map<String, TaskMapping> PREDEFINED = new LinkedHashMap<>();

    static {
        // LaMP_1 citation identification: queries pick [1] or [2]; profile items are the author's papers {title, abstract}
        add(TaskMapping.classification("LaMP_1", "title", List.of("abstract"),
                "Write a title for the following abstract of a paper: {abstract}", List.of("[1]", "[2]"))
                .withUncheckedProfileAnswers());
        // LaMP_2 movie tagging: profile {id, description, tag}
        add(TaskMapping.classification("LaMP_2", "tag", List.of("description"),
                "Which tag does this movie relate to among the following tags? Just answer with the tag name without "
                        + "further explanation. tags: [" + String.join(", ", LAMP2_MOVIE_TAGS) + "] description: {description}",
                LAMP2_MOVIE_TAGS));
        // LaMP_3 product rating: profile {id, text, score}
        add(TaskMapping.rating("LaMP_3", "score", List.of("text"),
                "What is the score of the following review on a scale of 1 to 5? just answer with 1, 2, 3, 4, or 5 "
                        + "without further explanation. review: {text}", 1, 5));
        // LaMP_4 news headline: profile {id, text, title}
        add(TaskMapping.generation("LaMP_4", "title", List.of("text"),
                "Generate a headline for the following article: {text}"));
        // LaMP_5 scholarly title: profile {id, abstract, title}
        add(TaskMapping.generation("LaMP_5", "title", List.of("abstract"),
                "Generate a title for the following abstract of a paper: {abstract}"));
        // LaMP_6 email subject: profile {id, text, title}
        add(TaskMapping.generation("LaMP_6", "title", List.of("text"),
                "Generate a subject for the following email: {text}"));
        // LaMP_7 tweet paraphrasing: profile {id, text}; the user's tweets are learned as free writing in their style
        add(TaskMapping.generation("LaMP_7", "text", List.of(), "Write a tweet in your own style:"));
        // ../shared/data/arrow-components: reproduces the query prompt of its questions exactly
        add(TaskMapping.classification("commit-component", "tag", List.of("title"),
                "Which component of the project does this commit change? Answer with one of ["
                        + String.join(", ", ARROW_COMPONENTS) + "] and nothing else. commit: {title}", ARROW_COMPONENTS));
        // ../shared/data/kafka-titles
        add(TaskMapping.generation("commit-title", "title", List.of("text"),
                "Generate a title for the following commit message: {text}"));
        // synthetic generator (org.proper.data.synth)
        add(TaskMapping.classification("synthetic-tagging", "tag", List.of("text"),
                "Which tag fits this item? Answer with one of [" + String.join(", ", SyntheticVocabulary.TAGS)
                        + "] and nothing else. item: {text}", SyntheticVocabulary.TAGS));
        add(TaskMapping.rating("synthetic-rating", "score", List.of("text"),
                "Rate this item from 1 to 5. Answer with the number only. item: {text}", 1, 5));
        add(TaskMapping.generation("synthetic-generation", "title", List.of("text"),
                "Write a title for this item: {text}"));
    }

    private TaskMappings() {}

    private static void add(TaskMapping m) {
        PREDEFINED.put(m.task(), m);
    }

    public static Optional<TaskMapping> predefined(String task) {
        return Optional.ofNullable(task == null ? null : PREDEFINED.get(task));
    }

    public static List<String> names() {
        return List.copyOf(PREDEFINED.keySet());
    }
}
