package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The texts a user's embedding is computed from, without leaking answers that are evaluated later:
 * <ul>
 *   <li>a user with training rows: each training row's input and output (its profile items);</li>
 *   <li>a user with no training row (cold start): the inputs of its dev/test rows — the queries only, never their
 *       outputs — so every user who can be asked something gets an embedding and can be routed.</li>
 * </ul>
 * Output: (user_id, text), one row per interaction used.
 */
public final class UserTexts {
    private UserTexts() {}

    public static Dataset<Row> of(Dataset<Row> interactions) {
        Dataset<Row> train = interactions.where(col("split").equalTo("train"))
                .select(col("user_id"), concat_ws(" ", col("input"), col("output")).as("text"));
        Dataset<Row> trainUsers = train.select("user_id").distinct();
        Dataset<Row> coldQueries = interactions.where(col("split").notEqual("train"))
                .select(col("user_id"), col("input").as("text"))
                .join(trainUsers, "user_id", "left_anti");
        return train.unionByName(coldQueries);
    }
}
