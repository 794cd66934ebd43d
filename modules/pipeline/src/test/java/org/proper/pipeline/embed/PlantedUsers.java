package org.proper.pipeline.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Small interactions tables with planted groups: user "g{G}u{N}" of group G writes mostly words of group G's own
 * vocabulary plus shared words. Users "cold{N}" (group N % groups) have no train rows, only a test query.
 */
public final class PlantedUsers {
    public static final StructType INTERACTIONS = new StructType(new StructField[] {
            DataTypes.createStructField("user_id", DataTypes.StringType, false),
            DataTypes.createStructField("item_id", DataTypes.StringType, false),
            DataTypes.createStructField("task", DataTypes.StringType, false),
            DataTypes.createStructField("kind", DataTypes.StringType, false),
            DataTypes.createStructField("input", DataTypes.StringType, false),
            DataTypes.createStructField("output", DataTypes.StringType, false),
            DataTypes.createStructField("timestamp", DataTypes.LongType, true),
            DataTypes.createStructField("split", DataTypes.StringType, false),
            DataTypes.createStructField("source", DataTypes.StringType, false),
            DataTypes.createStructField("position", DataTypes.LongType, false)});

    private PlantedUsers() {}

    /** @param testAnswer the output of every test row (to check it never influences embeddings) */
    public static Dataset<Row> interactions(SparkSession spark, int groups, int usersPerGroup, int rowsPerUser,
                                            int coldUsers, String testAnswer, long seed) {
        Random rnd = new Random(seed);
        List<Row> rows = new ArrayList<>();
        long position = 0;
        for (int g = 0; g < groups; g++) {
            for (int u = 0; u < usersPerGroup; u++) {
                String user = "g" + g + "u" + u;
                for (int i = 0; i < rowsPerUser; i++) {
                    rows.add(row(user, i, sentence(rnd, g, 8), "label" + g + " " + sentence(rnd, g, 2), "train", position++));
                }
                rows.add(row(user, rowsPerUser, sentence(rnd, g, 8), testAnswer, "test", position++));
            }
        }
        for (int c = 0; c < coldUsers; c++) {
            rows.add(row("cold" + c, 0, sentence(rnd, c % groups, 12), testAnswer, "test", position++));
        }
        return spark.createDataFrame(rows, INTERACTIONS);
    }

    /** The planted group of a user id made by {@link #interactions}. */
    public static int groupOf(String userId, int groups) {
        if (userId.startsWith("cold")) {
            return Integer.parseInt(userId.substring(4)) % groups;
        }
        return Integer.parseInt(userId.substring(1, userId.indexOf('u')));
    }

    private static Row row(String user, int item, String input, String output, String split, long position) {
        return RowFactory.create(user, user + "-" + item, "planted", "generation", input, output, null, split,
                "planted.jsonl", position);
    }

    private static String sentence(Random rnd, int group, int words) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            // 3 in 4 words from the group's own vocabulary of 12, the rest from 20 shared words
            String word = rnd.nextInt(4) < 3 ? "grp" + group + "word" + rnd.nextInt(12) : "common" + rnd.nextInt(20);
            sb.append(w == 0 ? "" : " ").append(word);
        }
        return sb.toString();
    }
}
