package org.proper.data.synth;

import java.util.List;

import org.proper.data.task.SyntheticVocabulary;

/** Words of the synthetic texts: per-tag keywords, fillers, sentiment words per rating, title styles per group. */
final class Vocabulary {

    static final List<String> TAGS = SyntheticVocabulary.TAGS;

    /** Keywords correlated with each tag, in TAGS order. */
    static final List<List<String>> KEYWORDS = List.of(
            List.of("parser", "token", "grammar", "lexer", "syntax", "ast"),
            List.of("socket", "packet", "latency", "router", "bandwidth", "tcp"),
            List.of("render", "pixel", "shader", "texture", "canvas", "sprite"),
            List.of("ledger", "invoice", "payment", "refund", "billing", "tax"),
            List.of("cache", "eviction", "memory", "buffer", "heap", "pool"),
            List.of("login", "password", "token-auth", "session", "oauth", "role"),
            List.of("schema", "column", "index", "query", "table", "join"),
            List.of("button", "dialog", "layout", "theme", "widget", "menu"));

    static final List<String> FILLERS = List.of("the", "new", "small", "quick", "old", "second", "extra", "main",
            "shared", "simple", "default", "internal", "public", "legacy", "core", "basic", "large", "optional");

    static final List<String> VERBS = List.of("fix", "add", "update", "remove", "improve", "refactor", "document",
            "test", "speed up", "clean up");

    /** Sentiment words by item quality 1..5 (index 0 = quality 1). */
    static final List<List<String>> SENTIMENT = List.of(
            List.of("awful", "broken", "useless", "terrible"),
            List.of("poor", "flimsy", "disappointing", "weak"),
            List.of("okay", "average", "decent", "plain"),
            List.of("good", "solid", "nice", "handy"),
            List.of("excellent", "superb", "perfect", "brilliant"));

    static final List<String> PRODUCTS = List.of("kettle", "lamp", "backpack", "headphones", "blender", "chair",
            "keyboard", "jacket", "tent", "camera", "watch", "speaker");

    /** Title styles: the group's phrasing. %1$s = verb, %2$s = keyword, %3$s = second keyword. */
    static final List<String> STYLES = List.of(
            "%1$s %2$s",
            "%2$s: %1$s %3$s",
            "[%2$s] %1$s",
            "%1$s the %2$s and %3$s",
            "%2$s/%3$s - %1$s",
            "%1$s %2$s (%3$s)",
            "%2$s %3$s %1$s",
            "%1$s: %2$s");

    static final List<String> SIGNATURES = List.of("", "", "please review", "minor", "wip", "as discussed", "again", "now");

    private Vocabulary() {}
}
