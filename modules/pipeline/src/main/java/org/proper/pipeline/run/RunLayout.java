package org.proper.pipeline.run;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a run's outputs live (DESIGN §5): {@code <warehouse>/runs/<run_id>/<table>/} (Parquet) and
 * {@code <warehouse>/runs/<run_id>/_manifest.json}. The warehouse is anything Hadoop's FileSystem understands: a local
 * path, {@code file:///…} or {@code hdfs://namenode:port/…}.
 *
 * <p>Bookkeeping lives under names starting with "_" so Spark and Parquet readers ignore it: {@code _markers/} (stage
 * and shard commit markers), {@code _staging/} (outputs being written, renamed into place when complete).
 */
public final class RunLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String INTERACTIONS = "interactions";
    public static final String QUARANTINE = "quarantine";
    public static final String USER_EMBEDDINGS = "user_embeddings";
    public static final String USER_GROUPS = "user_groups";
    public static final String ADAPTERS = "adapters";
    public static final String METRICS = "metrics";

    public static final String MANIFEST_FILE = "_manifest.json";
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final String warehouse;
    private final String runId;

    private RunLayout(String warehouse, String runId) {
        this.warehouse = warehouse;
        this.runId = runId;
    }

    /** @param warehouse local path or Hadoop URI; @param runId a run id as produced by {@link RunIds}. */
    public static RunLayout of(String warehouse, String runId) {
        if (warehouse == null || warehouse.isBlank()) {
            throw new IllegalArgumentException("Cannot lay out run: warehouse is empty");
        }
        RunIds.requireValid(runId);
        String trimmed = warehouse.endsWith("/") && warehouse.length() > 1
                ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
        return new RunLayout(trimmed, runId);
    }

    public String warehouse() {
        return warehouse;
    }

    public String runId() {
        return runId;
    }

    /** {@code <warehouse>/runs/}: every run of this warehouse. */
    public Path runsDir() {
        return new Path(warehouse, "runs");
    }

    /** {@code <warehouse>/runs/<run_id>/}. */
    public Path root() {
        return new Path(runsDir(), runId);
    }

    /** {@code <run root>/<table>/}; table names are lowercase snake_case. */
    public Path table(String name) {
        if (name == null || !TABLE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Cannot locate table '" + name + "': expected lowercase snake_case name");
        }
        return new Path(root(), name);
    }

    /** The table's location as a string, ready for {@code spark.read().parquet(...)}. */
    public String tableUri(String name) {
        return table(name).toString();
    }

    public Path manifest() {
        return new Path(root(), MANIFEST_FILE);
    }

    public Path markersDir() {
        return new Path(root(), "_markers");
    }

    public Path stagingDir() {
        return new Path(root(), "_staging");
    }

    /** The FileSystem holding this run (local or HDFS, chosen by the warehouse URI's scheme). */
    public FileSystem fileSystem(Configuration conf) {
        try {
            return root().getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open file system of warehouse " + warehouse + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunLayout other && warehouse.equals(other.warehouse) && runId.equals(other.runId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(warehouse, runId);
    }

    @Override
    public String toString() {
        return root().toString();
    }
}
