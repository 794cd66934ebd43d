package org.proper.pipeline.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.proper.pipeline.run.AtomicFiles;
import org.proper.pipeline.run.RunLayout;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes {@link TensorRecord}s into a run's adapters table ({@code <run>/adapters/shard=N/*.parquet}).
 *
 * <p>Every write is a named <em>batch</em> (e.g. "population", "group", "router", "user"): its files land in the shard
 * directories as {@code <batch>-part-….parquet}, and re-writing a batch first removes that batch's earlier files from
 * the shard(s) it covers. So a write is idempotent: an interrupted or repeated write never leaves duplicates, and
 * batches of different levels share the shard directories without touching each other. The user stage calls
 * {@link #writeShard} once per shard and marks the shard committed afterwards.
 *
 * <p>The table directory also holds {@code _adapters.json} (number of shards, dtype, hash) so readers can find a
 * user's shard.
 */
public final class AdapterTableWriter {
    public static final String METADATA_FILE = "_adapters.json";
    private static final Pattern BATCH = Pattern.compile("[a-z][a-z0-9]{0,31}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SparkSession spark;
    private final RunLayout layout;
    private final AdapterWriteOptions options;
    private final Configuration conf;

    public AdapterTableWriter(SparkSession spark, RunLayout layout, AdapterWriteOptions options) {
        this.spark = spark;
        this.layout = layout;
        this.options = options;
        this.conf = spark.sparkContext().hadoopConfiguration();
    }

    public Path tableDir() {
        return layout.table(RunLayout.ADAPTERS);
    }

    /** Writes a small set of records built on the driver (population, group experts, router). */
    public void write(List<TensorRecord> records, String batch) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        write(jsc.parallelize(records, Math.max(1, Math.min(records.size(), 8))), batch);
    }

    /** Writes records of any owners, each to its owner's shard, replacing the batch's earlier files in every shard. */
    public void write(JavaRDD<TensorRecord> records, String batch) {
        requireBatch(batch);
        prepareTable();
        Path staging = stagingDir(batch);
        toFrame(records).write().partitionBy(AdapterTableSchema.SHARD).option("compression", options.compression())
                .parquet(staging.toString());
        try {
            FileSystem fs = tableDir().getFileSystem(conf);
            for (FileStatus shardDir : fs.listStatus(tableDir(), p -> p.getName().startsWith("shard="))) {
                deleteBatchFiles(fs, shardDir.getPath(), batch);
            }
            for (FileStatus staged : fs.listStatus(staging, p -> p.getName().startsWith("shard="))) {
                moveBatchFiles(fs, staged.getPath(), new Path(tableDir(), staged.getPath().getName()), batch);
            }
            fs.delete(staging, true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot commit adapter batch '" + batch + "' to " + tableDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes one shard's records (every record's owner must hash to {@code shard}), replacing the batch's earlier
     * files in that shard only. Other shards are untouched, so the user stage can commit shard by shard.
     */
    public void writeShard(JavaRDD<TensorRecord> records, int shard, String batch) {
        requireBatch(batch);
        if (shard < 0 || shard >= options.numShards()) {
            throw new IllegalArgumentException("Cannot write shard " + shard + ": table has " + options.numShards() + " shards");
        }
        prepareTable();
        int numShards = options.numShards();
        JavaRDD<TensorRecord> checked = records.map(r -> {
            int actual = AdapterShards.shardOf(r.ownerId(), numShards);
            if (actual != shard) {
                throw new IllegalArgumentException("Cannot write " + r.key() + " to shard " + shard + ": its owner hashes to shard " + actual);
            }
            return r;
        });
        Path staging = stagingDir(batch);
        toFrame(checked).drop(AdapterTableSchema.SHARD).write().option("compression", options.compression())
                .parquet(staging.toString());
        try {
            FileSystem fs = tableDir().getFileSystem(conf);
            Path shardDir = new Path(tableDir(), AdapterShards.directoryName(shard));
            deleteBatchFiles(fs, shardDir, batch);
            moveBatchFiles(fs, staging, shardDir, batch);
            fs.delete(staging, true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot commit shard " + shard + " of adapter batch '" + batch + "': " + e.getMessage(), e);
        }
    }

    private Dataset<Row> toFrame(JavaRDD<TensorRecord> records) {
        int numShards = options.numShards();
        JavaRDD<Row> rows = records.map(r -> AdapterTableSchema.toRow(r, numShards));
        return spark.createDataFrame(rows, AdapterTableSchema.SCHEMA);
    }

    private Path stagingDir(String batch) {
        return new Path(layout.stagingDir(), "adapters-" + batch + "-" + UUID.randomUUID());
    }

    private static void deleteBatchFiles(FileSystem fs, Path shardDir, String batch) throws IOException {
        if (!fs.exists(shardDir)) {
            return;
        }
        for (FileStatus f : fs.listStatus(shardDir, p -> p.getName().startsWith(batch + "-"))) {
            fs.delete(f.getPath(), false);
        }
    }

    private static void moveBatchFiles(FileSystem fs, Path from, Path toShardDir, String batch) throws IOException {
        fs.mkdirs(toShardDir);
        for (FileStatus f : fs.listStatus(from, p -> p.getName().endsWith(".parquet"))) {
            Path target = new Path(toShardDir, batch + "-" + f.getPath().getName());
            if (!fs.rename(f.getPath(), target)) {
                throw new IOException("rename of " + f.getPath() + " to " + target + " returned false");
            }
        }
    }

    /** Creates the table directory and its metadata, or checks that an existing table agrees with the options. */
    private void prepareTable() {
        Path meta = new Path(tableDir(), METADATA_FILE);
        if (AtomicFiles.exists(meta, conf)) {
            int existing = readNumShards(meta, conf);
            if (existing != options.numShards()) {
                throw new IllegalStateException("Cannot write adapters to " + tableDir() + ": it was written with " + existing
                        + " shards, but adapters.shards is " + options.numShards());
            }
            return;
        }
        Map<String, Object> m = Map.of("num_shards", options.numShards(), "dtype", TensorBytes.DTYPE,
                "shard_function", "pmod(murmur3_x86_32(utf8(owner_id), seed 42), num_shards) = Spark SQL pmod(hash(owner_id), num_shards)");
        try {
            AtomicFiles.writeFile(meta, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m).getBytes(StandardCharsets.UTF_8), conf);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + meta + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code num_shards} from an adapters table's {@code _adapters.json}. */
    public static int readNumShards(Path metadataFile, Configuration conf) {
        try (InputStream in = metadataFile.getFileSystem(conf).open(metadataFile)) {
            return JSON.readTree(in).get("num_shards").asInt();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("Cannot read number of shards from " + metadataFile + ": " + e.getMessage(), e);
        }
    }

    private static void requireBatch(String batch) {
        if (batch == null || !BATCH.matcher(batch).matches()) {
            throw new IllegalArgumentException("Cannot write adapter batch '" + batch + "': use a lowercase word such as user, group, population");
        }
    }
}
