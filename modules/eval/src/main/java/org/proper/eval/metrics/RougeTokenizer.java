package org.proper.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tokenization of Google's {@code rouge-score} package (rouge_score/tokenize.py, no stemmer): lowercase, every run of
 * characters outside {@code [a-z0-9]} is a separator, empty tokens dropped. Non-ASCII letters (é, ß, CJK) are
 * therefore separators too, exactly as in rouge-score.
 */
public final class RougeTokenizer {
    private static final Pattern NON_ALPHANUMERIC = Pattern.compile("[^a-z0-9]+");

    private RougeTokenizer() {
    }

    public static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        if (text == null) {
            return tokens;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String token : NON_ALPHANUMERIC.split(lower)) {
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        return tokens;
    }
}
