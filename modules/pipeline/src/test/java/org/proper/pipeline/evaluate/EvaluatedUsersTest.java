package org.proper.pipeline.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proper.pipeline.run.LocalSpark;

class EvaluatedUsersTest {
    private static SparkSession spark;
    private static Dataset<Row> queries;

    /** 2,000 users with 1 to 3 queries each. */
    @BeforeAll
    static void start() {
        spark = LocalSpark.start("evaluated-users");
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < 2000; u++) {
            for (int q = 0; q <= u % 3; q++) rows.add(RowFactory.create("user-" + u, "query " + q));
        }
        StructType schema = new StructType().add("user_id", DataTypes.StringType).add("input", DataTypes.StringType);
        queries = spark.createDataFrame(rows, schema).repartition(3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Map<String, Integer> queriesByUser(Dataset<Row> rows) {
        Map<String, Integer> out = new HashMap<>();
        for (Row r : rows.collectAsList()) out.merge(r.getString(0), 1, Integer::sum);
        return out;
    }

    @Test
    void aSampleHoldsAboutMaxUsersWholeUsersAndIsTheSameOnEveryRun() {
        Map<String, Integer> sampled = queriesByUser(EvaluatedUsers.sample(queries, 200, 42));
        assertTrue(sampled.size() > 150 && sampled.size() < 250, "about 200 of 2000 users: " + sampled.size());
        // whole users: every query of a sampled user is kept
        sampled.forEach((user, n) -> assertEquals(Integer.parseInt(user.substring(5)) % 3 + 1, n, user));
        Set<String> again = new TreeSet<>(queriesByUser(EvaluatedUsers.sample(queries.repartition(5), 200, 42)).keySet());
        assertEquals(new TreeSet<>(sampled.keySet()), again, "the same users whatever the partitioning");
        Set<String> otherSeed = queriesByUser(EvaluatedUsers.sample(queries, 200, 43)).keySet();
        assertTrue(!otherSeed.equals(sampled.keySet()), "another seed samples other users");
    }

    @Test
    void zeroOrAtLeastTheNumberOfUsersEvaluatesEveryUser() {
        assertEquals(queries.count(), EvaluatedUsers.sample(queries, 0, 42).count());
        assertEquals(queries.count(), EvaluatedUsers.sample(queries, 2000, 42).count());
    }

    @Test
    void aNegativeMaximumIsRefusedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluatedUsers.sample(queries, -1, 42));
        assertTrue(e.getMessage().contains("proper.eval.max-users"), e.getMessage());
    }
}
