package org.proper.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tokenization of Google's {@code rouge-score} package (rouge_score/tokenize.py, no stemmer): lowercase, every run of
 * characters outside {@code [a-z0-9]} is a separator, empty tokens dropped. Non-ASCII letters (é, ß, CJK) are
 * therefore separators too, exactly as in rouge-score. With stemming ({@code use_stemmer=True}), tokens longer than 3
 * characters go through {@link PorterStemmer}, as rouge-score does.
 */
public final class RougeTokenizer {
    private static final Pattern NON_ALPHANUMERIC = Pattern.compile("[^a-z0-9]+");

    private RougeTokenizer() {
    }

    public static List<String> tokenize(String text) {
        return tokenize(text, false);
    }

    public static List<String> tokenize(String text, boolean stem) {
        List<String> tokens = new ArrayList<>();
        if (text == null) {
            return tokens;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String token : NON_ALPHANUMERIC.split(lower)) {
            if (!token.isEmpty()) {
                tokens.add(stem && token.length() > 3 ? PorterStemmer.stem(token) : token);
            }
        }
        return tokens;
    }
}
