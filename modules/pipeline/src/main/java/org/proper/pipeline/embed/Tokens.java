package org.proper.pipeline.embed;

import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Lowercase word tokens ({@code \W+} separators), as column "tokens", shared by the embedding methods. */
final class Tokens {
    private Tokens() {}

    static Dataset<Row> add(Dataset<Row> texts) {
        return new RegexTokenizer().setInputCol("text").setOutputCol("tokens").setPattern("\\W+").setToLowercase(true)
                .setMinTokenLength(1).transform(texts);
    }
}
