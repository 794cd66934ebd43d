package org.proper.data.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import java.util.List;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;
import org.proper.data.task.TaskMapping;

/** Spark SQL resolution of the units into interactions and quarantine. */
final class Resolver {

    private Resolver() {}

    static Resolved lamp(Dataset<Row> u, TaskMapping m) {
        WindowSpec byId = Window.partitionBy("split", "item_id").orderBy("source", "position");
        Dataset<Row> queries = u.filter(col("kind").equalTo(Unit.QUERY)).withColumn("rk", row_number().over(byId));
        Dataset<Row> golds = u.filter(col("kind").equalTo(Unit.GOLD)).withColumn("rk", row_number().over(byId));
        Dataset<Row> qDup = quarantine(queries.filter(col("rk").gt(1)), QuarantineReason.DUPLICATE_ID,
                concat(lit("question id '"), col("item_id"), lit("' repeated in split "), col("split")), false);
        Dataset<Row> gDup = quarantine(golds.filter(col("rk").gt(1)), QuarantineReason.DUPLICATE_ID,
                concat(lit("gold id '"), col("item_id"), lit("' repeated in split "), col("split")), true);
        Dataset<Row> q = queries.filter(col("rk").equalTo(1)).alias("q");
        Dataset<Row> g = golds.filter(col("rk").equalTo(1)).alias("g");
        Dataset<Row> joined = q.join(g, col("q.split").equalTo(col("g.split"))
                .and(col("q.item_id").equalTo(col("g.item_id"))), "full_outer");
        joined = joined.persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> answered = joined.filter(col("q.kind").isNotNull().and(col("g.kind").isNotNull()))
                .select(col("q.user_id"), col("q.item_id"), col("q.input"), col("g.output"), col("q.timestamp"),
                        col("q.split"), col("q.source"), col("q.position"));
        Dataset<Row> noGold = quarantine(joined.filter(col("g.kind").isNull()).select("q.*"), QuarantineReason.NO_GOLD,
                concat(lit("no gold for question id '"), col("item_id"), lit("' in split "), col("split")), false);
        Dataset<Row> orphan = quarantine(joined.filter(col("q.kind").isNull()).select("g.*"), QuarantineReason.ORPHAN_GOLD,
                concat(lit("no question for gold id '"), col("item_id"), lit("' in split "), col("split")), true);

        WindowSpec byItem = Window.partitionBy("user_id", "item_id").orderBy("source", "position", "sub");
        Dataset<Row> p = u.filter(col("kind").equalTo(Unit.PROFILE))
                .withColumn("rk", row_number().over(byItem))
                .withColumn("f_source", first("source").over(byItem))
                .withColumn("f_position", first("position").over(byItem))
                .withColumn("f_input", first("input").over(byItem))
                .withColumn("f_output", first("output").over(byItem))
                .persist(StorageLevel.MEMORY_AND_DISK()); // feeds interactions, quarantine and merged
        Column repeat = col("rk").gt(1);
        Column sameQuestion = col("source").equalTo(col("f_source")).and(col("position").equalTo(col("f_position")));
        Column sameContent = col("input").equalTo(col("f_input")).and(col("output").equalTo(col("f_output")));
        Dataset<Row> pDup = quarantine(p.filter(repeat.and(sameQuestion.or(not(sameContent)))),
                QuarantineReason.DUPLICATE_ID,
                concat(lit("profile item id '"), col("item_id"), lit("' of user "), col("user_id"),
                        when(sameQuestion, lit(" repeated in the same profile"))
                                .otherwise(lit(" differs from its copy in another question"))), false);
        Dataset<Row> pRepeat = p.filter(repeat.and(not(sameQuestion)).and(sameContent));
        Dataset<Row> pKeep = p.filter(col("rk").equalTo(1));
        // a query's own item: a profile item equal to the query (same user, rendered input and answer) that is
        // not in the query's own profile (in LaMP it shows up in the profile of the user's later query)
        Dataset<Row> hits = p.select("user_id", "item_id", "input", "output", "source", "position")
                .join(answered.select(col("user_id"), col("input"), col("output"), col("source").as("q_source"),
                        col("position").as("q_position")), scalaSeq(List.of("user_id", "input", "output")));
        Dataset<Row> inOwnProfile = hits.filter(col("source").equalTo(col("q_source"))
                .and(col("position").equalTo(col("q_position")))).select("user_id", "item_id", "q_source", "q_position");
        Dataset<Row> queryItems = hits.select("user_id", "item_id", "q_source", "q_position").distinct()
                .join(inOwnProfile, scalaSeq(List.of("user_id", "item_id", "q_source", "q_position")), "left_anti")
                .select("user_id", "item_id").distinct();
        List<String> keys = List.of("user_id", "item_id");
        Dataset<Row> pIsQuery = pKeep.join(queryItems, scalaSeq(keys), "left_semi");
        Dataset<Row> train = pKeep.join(queryItems, scalaSeq(keys), "left_anti")
                .select("user_id", "item_id", "input", "output", "timestamp", "split", "source", "position");

        Dataset<Row> interactions = withTask(answered.unionByName(train), m);
        Dataset<Row> quarantine = badUnits(u).unionByName(qDup).unionByName(gDup).unionByName(noGold)
                .unionByName(orphan).unionByName(pDup);
        Dataset<Row> merged = pRepeat.select("source", "position").unionByName(pIsQuery.select("source", "position"));
        return new Resolved(interactions, quarantine, merged, m, List.of(p, joined));
    }

    static Resolved logs(Dataset<Row> u, TaskMapping m) {
        WindowSpec byItem = Window.partitionBy("user_id", "item_id").orderBy("source", "position");
        Dataset<Row> logs = u.filter(col("kind").equalTo(Unit.LOG)).withColumn("rk", row_number().over(byItem));
        Dataset<Row> dup = quarantine(logs.filter(col("rk").gt(1)), QuarantineReason.DUPLICATE_ID,
                concat(lit("item id '"), col("item_id"), lit("' repeated for user "), col("user_id")), false);
        // LaMP-style time split for rows without one: per user the latest is test, the one before dev (users with
        // at least 3 rows); everything else train
        WindowSpec byUserTime = Window.partitionBy("user_id")
                .orderBy(col("timestamp").desc_nulls_last(), col("source").desc(), col("position").desc());
        Dataset<Row> kept = logs.filter(col("rk").equalTo(1))
                .withColumn("rn", row_number().over(byUserTime))
                .withColumn("n", count(lit(1)).over(Window.partitionBy("user_id")))
                .withColumn("split", coalesce(col("split"),
                        when(col("n").geq(3).and(col("rn").equalTo(1)), lit("test"))
                                .when(col("n").geq(3).and(col("rn").equalTo(2)), lit("dev"))
                                .otherwise(lit("train"))))
                .select("user_id", "item_id", "input", "output", "timestamp", "split", "source", "position");
        Dataset<Row> quarantine = badUnits(u).unionByName(dup);
        Dataset<Row> merged = u.sparkSession().emptyDataFrame().select(lit("").as("source"), lit(0L).as("position"));
        return new Resolved(withTask(kept, m), quarantine, merged, m, List.of());
    }

    private static Dataset<Row> withTask(Dataset<Row> rows, TaskMapping m) {
        return rows.withColumn("task", lit(m.task())).withColumn("kind", lit(m.kind().tableValue()));
    }

    private static Dataset<Row> badUnits(Dataset<Row> u) {
        return u.filter(col("kind").equalTo(Unit.BAD))
                .select(col("source"), col("position"), col("reason"), col("detail"), col("raw"), lit(false).as("from_gold"));
    }

    private static Dataset<Row> quarantine(Dataset<Row> rows, String reason, Column detail, boolean fromGold) {
        return rows.select(col("source"), col("position"), lit(reason).as("reason"), detail.as("detail"),
                col("raw"), lit(fromGold).as("from_gold"));
    }

    private static scala.collection.immutable.Seq<String> scalaSeq(List<String> xs) {
        return scala.jdk.javaapi.CollectionConverters.asScala(xs).toList();
    }
}
