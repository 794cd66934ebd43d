package org.proper.data.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TaskMappingTest {

    @Test
    void predefinedTasksCoverLampAndSharedData() {
        for (String t : List.of("LaMP_1", "LaMP_2", "LaMP_3", "LaMP_4", "LaMP_5", "LaMP_6", "LaMP_7",
                "commit-component", "commit-title")) {
            assertTrue(TaskMappings.predefined(t).isPresent(), t);
        }
        TaskMapping lamp3 = TaskMappings.predefined("LaMP_3").orElseThrow();
        assertEquals(TaskKind.RATING, lamp3.kind());
        assertEquals(1, lamp3.ratingMin());
        assertEquals(5, lamp3.ratingMax());
        assertEquals(15, TaskMappings.predefined("commit-component").orElseThrow().labels().size());
    }

    @Test
    void commitComponentTemplateReproducesTheQueryPrompt() {
        TaskMapping m = TaskMappings.predefined("commit-component").orElseThrow();
        assertEquals("Which component of the project does this commit change? Answer with one of [C++, Python, R, CI, "
                        + "Java, Rust, Go, Docs, GLib, Release, Packaging, C#, JS, Ruby, Dev] and nothing else. commit: "
                        + "Do not use throwing <simdjson> api",
                m.render(Map.of("title", "Do not use throwing <simdjson> api", "tag", "C++")));
    }

    @Test
    void answersAreCheckedAgainstLabelsAndRange() {
        TaskMapping tags = TaskMappings.predefined("commit-component").orElseThrow();
        assertNull(tags.answerProblem("Rust"));
        assertNotNull(tags.answerProblem("rust"));
        TaskMapping rating = TaskMappings.predefined("LaMP_3").orElseThrow();
        assertNull(rating.answerProblem("4"));
        assertTrue(rating.answerProblem("6").contains("outside [1, 5]"));
        assertTrue(rating.answerProblem("four").contains("not an integer"));
    }

    @Test
    void invalidMappingsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TaskMapping.generation("t", "title",
                List.of("text"), "Write: {body}")).getMessage().contains("'template'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TaskMapping.classification("t", "tag",
                List.of(), "x", List.of("only"))).getMessage().contains("'labels'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TaskMapping.rating("t", "s",
                List.of(), "x", 5, 1)).getMessage().contains("'ratingMin'"));
    }

    @Test
    void inferenceFindsClassificationFromAClosedSetOfGolds() {
        List<Map<String, String>> items = new ArrayList<>();
        List<String> golds = new ArrayList<>();
        String[] labels = {"red", "green", "blue"};
        for (int i = 0; i < 60; i++) {
            items.add(Map.of("id", "i" + i, "body", "a rather long description of thing number " + i,
                    "colour", labels[i % 3], "date", "2024-01-01"));
            golds.add(labels[(i * 7) % 3]);
        }
        TaskMapping m = TaskInference.infer("colours", golds, items);
        assertEquals(TaskKind.CLASSIFICATION, m.kind());
        assertEquals("colour", m.answerField());
        assertEquals(List.of("body"), m.inputFields());
        assertEquals(List.of("blue", "green", "red"), m.labels());
    }

    @Test
    void inferenceFindsRatingsAndGeneration() {
        List<Map<String, String>> items = new ArrayList<>();
        List<String> ratingGolds = new ArrayList<>(), titleGolds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            items.add(Map.of("id", "i" + i, "review", "review text that goes on for a while " + i,
                    "stars", String.valueOf(1 + i % 5)));
            ratingGolds.add(String.valueOf(1 + (i * 3) % 5));
            titleGolds.add("a review text that goes on and on " + i);
        }
        TaskMapping rating = TaskInference.infer("stars", ratingGolds, items);
        assertEquals(TaskKind.RATING, rating.kind());
        assertEquals("stars", rating.answerField());
        assertEquals(5, rating.ratingMax());
        TaskMapping gen = TaskInference.infer("rewrite", titleGolds, items);
        assertEquals(TaskKind.GENERATION, gen.kind());
        assertEquals("review", gen.answerField());
    }
}
