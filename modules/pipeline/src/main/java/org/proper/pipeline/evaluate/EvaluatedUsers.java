package org.proper.pipeline.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.proper.pipeline.train.TrainingData;

/**
 * Which users the evaluate stage answers queries for (proper.eval.max-users): every user, or a seeded sample of about
 * max-users of them — whole users, chosen by a hash of the user id, so the same users are evaluated on every run with
 * the same seed, whatever the files' order, and no per-user row is collected.
 */
public final class EvaluatedUsers {
    private EvaluatedUsers() {}

    /**
     * The rows of {@code queries} (which has a user_id column) whose user is in the sample; all rows when
     * {@code maxUsers} is 0 or not below the number of users.
     */
    public static Dataset<Row> sample(Dataset<Row> queries, long maxUsers, long seed) {
        if (maxUsers < 0) {
            throw new IllegalArgumentException("Cannot evaluate: proper.eval.max-users must be >= 0 (0 = every user), got " + maxUsers);
        }
        if (maxUsers == 0) return queries;
        long users = queries.select("user_id").distinct().count();
        if (users <= maxUsers) return queries;
        double fraction = (double) maxUsers / users;
        UserDefinedFunction inSample = udf((UDF1<String, Boolean>) u -> TrainingData.unitHash(u, seed) < fraction,
                DataTypes.BooleanType);
        return queries.filter(inSample.apply(col("user_id")));
    }
}
