package org.proper.data.synth;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.proper.data.task.TaskMapping;
import org.proper.data.task.TaskMappings;

/**
 * Writes a LaMP-format data set of synthetic users with planted structure, generated on the executors from
 * {@code spark.range}: no user passes through the driver.
 *
 * <p>Layout under {@code outDir}: {@code dev_questions.jsonl/}, {@code dev_outputs.jsonl/}, {@code test_questions.jsonl/},
 * {@code test_outputs.jsonl/} (JSON lines, Spark part files; outputs lines are {@code {task, id, output}}), which
 * {@link org.proper.data.ingest.Ingest} reads as a LaMP directory, and {@code users/} (Parquet truth table: user_id,
 * planted_group, history_length) for checking recovered groups (ARI) later.
 *
 * <p>Every value is a pure function of (seed, user index), so the same options give byte-identical part files.
 */
public final class SyntheticGenerator {

    public static final StructType USERS_SCHEMA = new StructType()
            .add("user_id", DataTypes.StringType, false)
            .add("planted_group", DataTypes.IntegerType, false)
            .add("history_length", DataTypes.IntegerType, false);

    private SyntheticGenerator() {}

    public static SyntheticResult generate(SparkSession spark, SyntheticOptions o, String outDir) {
        if (outDir == null || outDir.isBlank()) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'outDir' is empty");
        }
        TaskMapping mapping = TaskMappings.predefined(o.task().taskName()).orElseThrow();
        Dataset<Long> ids = spark.range(0, o.users(), 1, o.effectivePartitions()).as(Encoders.LONG());
        for (String split : List.of("dev", "test")) {
            spark.sparkContext().setJobDescription("generate " + o.users() + " synthetic users: " + split + " questions");
            ids.mapPartitions(lines(o, mapping, split, true), Encoders.STRING())
                    .write().mode(SaveMode.Overwrite).text(new Path(outDir, split + "_questions.jsonl").toString());
            spark.sparkContext().setJobDescription("generate " + o.users() + " synthetic users: " + split + " outputs");
            ids.mapPartitions(lines(o, mapping, split, false), Encoders.STRING())
                    .write().mode(SaveMode.Overwrite).text(new Path(outDir, split + "_outputs.jsonl").toString());
        }
        spark.sparkContext().setJobDescription("generate " + o.users() + " synthetic users: truth table");
        String usersDir = new Path(outDir, "users").toString();
        ids.mapPartitions(truth(o), Encoders.row(USERS_SCHEMA)).write().mode(SaveMode.Overwrite).parquet(usersDir);
        Row totals = spark.read().parquet(usersDir).agg(count(col("user_id")), sum(col("history_length"))).first();
        spark.sparkContext().setJobDescription(null);
        return new SyntheticResult(totals.getLong(0), totals.getLong(1), mapping.task(), outDir);
    }

    private static MapPartitionsFunction<Long, String> lines(SyntheticOptions o, TaskMapping mapping, String split,
                                                             boolean questions) {
        return ids -> {
            GroupModel[] groups = GroupModel.all(o.seed(), o.groups());
            ObjectMapper json = new ObjectMapper();
            return map(ids, index -> {
                SyntheticUser u = SyntheticUser.of(o, index, groups);
                int queryIndex = u.historyLength + (split.equals("dev") ? 0 : 1);
                Map<String, String> query = u.items.get(queryIndex);
                String qid = u.userId + "-" + split;
                ObjectNode line = json.createObjectNode();
                if (questions) {
                    line.put("id", qid).put("user_id", u.userId).put("input", mapping.render(query));
                    ArrayNode profile = line.putArray("profile");
                    for (int k = 0; k < queryIndex; k++) {
                        ObjectNode item = profile.addObject();
                        u.items.get(k).forEach(item::put);
                    }
                } else {
                    line.put("task", mapping.task()).put("id", qid).put("output", query.get(mapping.answerField()));
                }
                return json.writeValueAsString(line);
            });
        };
    }

    private static MapPartitionsFunction<Long, Row> truth(SyntheticOptions o) {
        return ids -> {
            GroupModel[] groups = GroupModel.all(o.seed(), o.groups());
            return map(ids, index -> {
                SyntheticUser u = SyntheticUser.of(o, index, groups);
                return RowFactory.create(u.userId, u.group, u.historyLength);
            });
        };
    }

    interface Fn<A, B> {
        B apply(A a) throws Exception;
    }

    /** A lazy map over a partition's iterator: one user in memory at a time. */
    private static <A, B> Iterator<B> map(Iterator<A> in, Fn<A, B> fn) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                try {
                    return fn.apply(in.next());
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot generate synthetic user: " + e.getMessage(), e);
                }
            }
        };
    }

}
