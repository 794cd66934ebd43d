package org.proper.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class PorterStemmerTest {

    @Test
    void stemsThePapersExamplesWithNltkDepartures() {
        assertEquals("caress", PorterStemmer.stem("caresses"));
        assertEquals("poni", PorterStemmer.stem("ponies"));
        assertEquals("tie", PorterStemmer.stem("ties")); // NLTK: 4-letter "ies" -> "ie" (paper: "ti")
        assertEquals("cat", PorterStemmer.stem("cats"));
        assertEquals("agre", PorterStemmer.stem("agreed"));
        assertEquals("feed", PorterStemmer.stem("feed"));
        assertEquals("hop", PorterStemmer.stem("hopping"));
        assertEquals("file", PorterStemmer.stem("filing"));
        assertEquals("fail", PorterStemmer.stem("failing"));
        assertEquals("happi", PorterStemmer.stem("happy"));
        assertEquals("enjoy", PorterStemmer.stem("enjoy")); // NLTK: y after a vowel stays
        assertEquals("relat", PorterStemmer.stem("relational"));
        assertEquals("condit", PorterStemmer.stem("conditional"));
        assertEquals("gener", PorterStemmer.stem("generalizations"));
        assertEquals("adjust", PorterStemmer.stem("adjustment"));
        assertEquals("adopt", PorterStemmer.stem("adoption"));
        assertEquals("control", PorterStemmer.stem("controll"));
        assertEquals("sky", PorterStemmer.stem("skies")); // irregular form
        assertEquals("die", PorterStemmer.stem("dying"));
        assertEquals("by", PorterStemmer.stem("by"));
    }

    @Test
    void agreesWithNltkOnEveryWordOfTheFixture() throws IOException {
        List<String> mismatches = new ArrayList<>();
        int words = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                getClass().getResourceAsStream("porter-nltk.tsv")), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] pair = line.split("\t");
                words++;
                String stem = PorterStemmer.stem(pair[0]);
                if (!stem.equals(pair[1])) {
                    mismatches.add(pair[0] + ": nltk " + pair[1] + ", ours " + stem);
                }
            }
        }
        assertTrue(words > 1000, "fixture has " + words + " words");
        assertEquals(List.of(), mismatches);
    }

    @Test
    void rougeWithStemmingMatchesInflectedForms() {
        // "fixes flaky tests" vs "fix flaky test": without stemming only "flaky" overlaps (1/3); with it all 3 do
        ExampleScorer plain = new ExampleScorer(TaskSpec.generation("titles"));
        ExampleScorer stemmed = new ExampleScorer(TaskSpec.generation("titles"), true);
        assertEquals(1.0 / 3, plain.score("fixes flaky tests", "fix flaky test").rouge1().f1(), 1e-12);
        assertEquals(1.0, stemmed.score("fixes flaky tests", "fix flaky test").rouge1().f1(), 1e-12);
        // tokens of 3 characters or fewer are not stemmed (rouge-score): "ran"/"run" stay different
        assertEquals(List.of("ran", "run", "test"), RougeTokenizer.tokenize("ran run tests", true));
    }
}
