package org.proper.data.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.proper.data.schema.SchemaContract;
import org.proper.data.task.TaskInference;
import org.proper.data.task.TaskMapping;
import org.proper.data.task.TaskMappings;

/**
 * The ingest job: reads LaMP directories or interaction logs, writes {@code <runDir>/interactions} and
 * {@code <runDir>/quarantine} (Parquet, overwritten, so a re-run gives the same tables) and returns the counts.
 *
 * <p>Plan: (1) resolve the task mapping (option, predefined, or inferred from a small sample); (2) parse every record
 * on the executors into candidate units ({@link Unit}); (3) resolve with Spark SQL: join queries to golds, dedupe ids,
 * merge the LaMP profile overlap; (4) write both tables; (5) count. The driver only sees the sample and the counts.
 *
 * <p>LaMP profile overlap (checked on ../shared/data): a user's test profile is its dev profile plus the dev query's
 * item. Profile items are deduplicated per user by item id (the copy from the first file in name order is kept;
 * identical copies are counted as {@code merged}; a copy with different content is quarantined as duplicate_id), and a
 * profile item that is one of the user's own queries (same rendered input and answer, and not in that query's own
 * profile: in LaMP it appears in the user's later profile) is dropped as merged, so the dev query never reappears as a
 * train row. An earlier commit that merely has the same text as a query stays a train row (2 such items in
 * arrow-components). Query rows take the question id as item_id.
 */
public final class Ingest {

    private Ingest() {}

    public static IngestResult run(SparkSession spark, IngestOptions options) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        requireExists(conf, options.input());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Resolved resolved;
        Dataset<Row> units;
        if (options.format() == InputFormat.LAMP) {
            LampLayout layout = LampLayout.discover(conf, options.input());
            TaskMapping mapping = lampMapping(jsc, layout, options, conf);
            jsc.setJobDescription("ingest " + mapping.task() + ": parse LaMP records");
            units = spark.createDataFrame(lampUnits(jsc, layout, mapping, options.maxTextChars()), Unit.SCHEMA);
            units = units.persist(StorageLevel.MEMORY_AND_DISK());
            resolved = Resolver.lamp(units, mapping);
        } else {
            TaskMapping mapping = logMapping(spark, jsc, options);
            jsc.setJobDescription("ingest " + mapping.task() + ": parse " + options.format() + " logs");
            units = spark.createDataFrame(logUnits(spark, jsc, options, mapping), Unit.SCHEMA);
            units = units.persist(StorageLevel.MEMORY_AND_DISK());
            // before the time split: a user's latest row up to the cutoff is its test query
            resolved = Resolver.logs(options.cutoffMs() == null ? units : units.filter(functions.not(lateLog(options))), mapping);
        }
        try {
            return write(spark, options, resolved, units);
        } finally {
            resolved.unpersist();
            units.unpersist();
            jsc.setJobDescription(null);
        }
    }

    private static IngestResult write(SparkSession spark, IngestOptions options, Resolved r, Dataset<Row> units) {
        String interactionsDir = new Path(options.runDir(), "interactions").toString();
        String quarantineDir = new Path(options.runDir(), "quarantine").toString();
        spark.sparkContext().setJobDescription("ingest " + r.mapping().task() + ": write interactions");
        Dataset<Row> resolved = r.interactions();
        long afterCutoff = 0;
        if (options.cutoffMs() != null) {
            spark.sparkContext().setJobDescription("ingest " + r.mapping().task() + ": count interactions after the cutoff");
            if (options.format() == InputFormat.LAMP) {     // explicit splits: drop resolved rows
                Column late = col("timestamp").isNotNull().and(col("timestamp").geq(lit(options.cutoffMs())));
                afterCutoff = resolved.filter(late).count();
                resolved = resolved.filter(functions.not(late));
            } else {                                        // logs: left out before resolving (see run)
                afterCutoff = units.filter(lateLog(options)).count();
            }
        }
        Dataset<Row> interactions = SchemaContract.conform("interactions", resolved)
                .repartition(col("user_id"))
                .sortWithinPartitions("user_id", "split", "source", "position");
        long t0 = System.nanoTime();
        interactions.write().mode(SaveMode.Overwrite).parquet(interactionsDir);
        long t1 = System.nanoTime();
        spark.sparkContext().setJobDescription("ingest " + r.mapping().task() + ": write quarantine");
        Dataset<Row> quarantine = r.quarantine().persist(StorageLevel.MEMORY_AND_DISK());
        SchemaContract.conform("quarantine", quarantine).coalesce(1).sortWithinPartitions("source", "position")
                .write().mode(SaveMode.Overwrite).parquet(quarantineDir);

        long t2 = System.nanoTime();
        spark.sparkContext().setJobDescription("ingest " + r.mapping().task() + ": count");
        Dataset<Row> written = spark.read().parquet(interactionsDir);
        // one job: totals, distinct users/items and rows per split
        List<Column> aggs = new ArrayList<>(List.of(count(lit(1)), countDistinct(col("user_id")), countDistinct(col("item_id"))));
        List<String> splits = List.of("train", "dev", "test");
        splits.forEach(s -> aggs.add(count(when(col("split").equalTo(s), lit(1)))));
        Row totals = written.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
        Map<String, Long> bySplit = new HashMap<>();
        for (int i = 0; i < splits.size(); i++) {
            if (totals.getLong(3 + i) > 0) {
                bySplit.put(splits.get(i), totals.getLong(3 + i));
            }
        }
        Map<String, Long> byReason = new HashMap<>();
        long quarantinedGolds = 0;
        for (Row row : quarantine.groupBy("reason", "from_gold").count().collectAsList()) {
            byReason.merge(row.getString(0), row.getLong(2), Long::sum);
            quarantinedGolds += row.getBoolean(1) ? row.getLong(2) : 0;
        }
        quarantine.unpersist();
        long merged = r.merged().count();
        long candidates = units.filter(col("kind").notEqual(Unit.GOLD)).count() + quarantinedGolds;
        IngestResult result = new IngestResult(candidates, totals.getLong(0), bySplit, byReason, merged, afterCutoff,
                totals.getLong(1), totals.getLong(2), r.mapping());
        if (result.candidates() != result.accepted() + result.quarantined() + result.merged() + result.afterCutoff()) {
            throw new IllegalStateException("Ingest lost records: " + result.summary());
        }
        System.out.println(result.summary() + String.format(" (write interactions %.1f s, quarantine %.1f s, count %.1f s)",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9));
        return result;
    }

    /** A log row whose timestamp is at or after the cutoff: it belongs to a later run. */
    private static Column lateLog(IngestOptions options) {
        return col("kind").equalTo(Unit.LOG).and(col("timestamp").isNotNull())
                .and(col("timestamp").geq(lit(options.cutoffMs())));
    }

    // ---- task mapping -------------------------------------------------------------------------------------------

    private static TaskMapping lampMapping(JavaSparkContext jsc, LampLayout layout, IngestOptions options,
                                           Configuration conf) {
        if (options.mapping() != null) {
            return options.mapping();
        }
        String task = options.task() != null && !options.task().isBlank() ? options.task()
                : layout.taskName(conf).orElseThrow(() -> new IllegalArgumentException("Cannot ingest "
                        + options.input() + ": no \"task\" in its outputs files and option 'task' is not set"));
        return TaskMappings.predefined(task).orElseGet(() -> {
            jsc.setJobDescription("ingest " + task + ": sample to infer the task mapping");
            int n = options.inferenceSample();
            List<String> golds = new ArrayList<>();
            for (Row g : goldUnits(jsc, layout, null, options.maxTextChars()).take(n)) {
                if (Unit.GOLD.equals(g.getString(0))) {
                    golds.add(g.getString(8));
                }
            }
            List<Map<String, String>> items = new ArrayList<>();
            for (List<String> paths : layout.questions().values()) {
                JavaRDD<Map<String, String>> profile = jsc.binaryFiles(String.join(",", paths)).values()
                        .flatMap(s -> sampleProfile(s, n));
                items.addAll(profile.take(n));
                if (items.size() >= n) {
                    break;
                }
            }
            TaskMapping inferred = TaskInference.infer(task, golds, items);
            System.out.println("Inferred " + inferred.describe());
            return inferred;
        });
    }

    private static Iterator<Map<String, String>> sampleProfile(PortableDataStream s, int n) throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        try (InputStream in = s.open()) {
            Iterator<RawRecord> records = RecordSplitter.json(s.getPath(), in);
            while (records.hasNext() && out.size() < n) {
                List<Row> ignored = new ArrayList<>();
                JsonNode q = LampParser.parse(records.next(), ignored);
                if (q != null && q.path("profile").isArray()) {
                    for (JsonNode item : q.get("profile")) {
                        if (item.isObject()) {
                            out.add(Fields.scalars(item));
                        }
                    }
                }
            }
        }
        return out.iterator();
    }

    private static TaskMapping logMapping(SparkSession spark, JavaSparkContext jsc, IngestOptions options) {
        if (options.mapping() != null) {
            return options.mapping();
        }
        return TaskMappings.predefined(options.task()).orElseGet(() -> {
            TaskMapping identity = TaskMapping.generation(options.task(), "output", List.of("input"), "{input}");
            List<String> golds = new ArrayList<>();
            List<Map<String, String>> items = new ArrayList<>();
            for (Row u : logUnits(spark, jsc, options, identity).take(options.inferenceSample())) {
                if (Unit.LOG.equals(u.getString(0))) {
                    golds.add(u.getString(8));
                    items.add(Map.of("input", u.getString(7), "output", u.getString(8)));
                }
            }
            TaskMapping inferred = golds.isEmpty() ? identity : TaskInference.infer(options.task(), golds, items);
            if (!inferred.answerField().equals("output")) {
                inferred = identity; // logs: the answer is the output column by definition
            }
            System.out.println("Inferred " + inferred.describe());
            return inferred;
        });
    }

    // ---- parsing on the executors -------------------------------------------------------------------------------

    private static JavaRDD<Row> lampUnits(JavaSparkContext jsc, LampLayout layout, TaskMapping mapping, int maxChars) {
        JavaRDD<Row> all = goldUnits(jsc, layout, mapping, maxChars);
        for (Map.Entry<String, List<String>> e : layout.questions().entrySet()) {
            String split = e.getKey();
            JavaRDD<Row> questions = jsc.binaryFiles(String.join(",", e.getValue())).values()
                    .flatMap(s -> flatten(RecordSplitter.json(s.getPath(), s.open()),
                            r -> LampParser.question(r, split, mapping, maxChars)));
            all = all.union(questions);
        }
        return all;
    }

    private static JavaRDD<Row> goldUnits(JavaSparkContext jsc, LampLayout layout, TaskMapping mapping, int maxChars) {
        JavaRDD<Row> all = jsc.emptyRDD();
        for (Map.Entry<String, List<String>> e : layout.outputs().entrySet()) {
            String split = e.getKey();
            all = all.union(jsc.binaryFiles(String.join(",", e.getValue())).values()
                    .flatMap(s -> goldFile(s, split, mapping, maxChars).iterator()));
        }
        return all;
    }

    /** A LaMP outputs object, a JSON array of golds, or JSON lines of golds. */
    static List<Row> goldFile(PortableDataStream s, String split, TaskMapping mapping, int maxChars) throws IOException {
        String source = s.getPath();
        boolean lampObject;
        try (BufferedInputStream in = new BufferedInputStream(s.open())) {
            int first = RecordSplitter.peekNonBlank(in);
            lampObject = first == '{' && !isGoldLine(firstLine(in));
        }
        List<Row> out = new ArrayList<>();
        try (InputStream in = s.open()) {
            if (lampObject) {
                out.addAll(LampParser.goldObject(source, in, split, mapping, maxChars));
            } else {
                RecordSplitter.json(source, in).forEachRemaining(r -> out.add(LampParser.gold(r, split, mapping, maxChars)));
            }
        }
        return out;
    }

    private static String firstLine(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 20];
        int n = 0, b;
        while (n < buf.length && (b = in.read()) >= 0 && b != '\n') {
            buf[n++] = (byte) b;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    private static boolean isGoldLine(String line) {
        try {
            JsonNode node = LampParser.JSON.readTree(line);
            return node != null && node.isObject() && !node.has("golds");
        } catch (IOException | RuntimeException e) {
            return false; // a pretty-printed object's first line "{", or a broken line
        }
    }

    private static JavaRDD<Row> logUnits(SparkSession spark, JavaSparkContext jsc, IngestOptions o, TaskMapping mapping) {
        int maxChars = o.maxTextChars();
        switch (o.format()) {
            case JSONL:
                return jsc.binaryFiles(o.input()).values().flatMap(s -> flatten(
                        RecordSplitter.json(s.getPath(), s.open()), r -> List.of(LogParser.jsonLine(r, mapping, maxChars))));
            case CSV:
                return jsc.binaryFiles(o.input()).values().flatMap(s -> {
                    try (InputStream in = s.open()) {
                        return LogParser.csvFile(s.getPath(), in, mapping, maxChars);
                    }
                });
            case PARQUET:
                Dataset<Row> df = spark.read().parquet(o.input());
                String[] names = df.columns();
                return df.select(col("*"), col("_metadata.file_path").as("_source"), col("_metadata.row_index").as("_position"))
                        .toJavaRDD().map(row -> {
                            Map<String, String> f = new HashMap<>();
                            for (int i = 0; i < names.length; i++) {
                                if (!row.isNullAt(i)) {
                                    f.put(names[i], String.valueOf(row.get(i)));
                                }
                            }
                            String raw = f.toString();
                            return LogParser.fields(row.getString(names.length), row.getLong(names.length + 1), f,
                                    mapping, maxChars, raw);
                        });
            default:
                throw new IllegalArgumentException("Cannot ingest: option 'format' " + o.format() + " is not a log format");
        }
    }

    interface RecordFn extends java.io.Serializable {
        List<Row> apply(RawRecord r);
    }

    private static Iterator<Row> flatten(Iterator<RawRecord> records, RecordFn fn) {
        return new Iterator<>() {
            Iterator<Row> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && records.hasNext()) {
                    current = fn.apply(records.next()).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                hasNext();
                return current.next();
            }
        };
    }

    private static void requireExists(Configuration conf, String input) {
        try {
            Path p = new Path(input);
            if (!p.getFileSystem(conf).exists(p)) {
                throw new IllegalArgumentException("Cannot ingest: input path " + input + " (option 'input') does not exist");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot ingest: input path " + input + " (option 'input') is unreadable", e);
        }
    }
}
