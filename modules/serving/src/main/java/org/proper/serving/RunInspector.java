package org.proper.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * {@code proper inspect RUN}: a published run's manifest, and per table its row count (from Parquet footers, no Spark),
 * file count and size on disk, as text.
 */
public final class RunInspector {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunInspector() {}

    /** @throws IllegalStateException naming the run when it is not published */
    public static String inspect(String warehouse, String runId, Configuration conf) {
        RunLayout layout = RunLayout.of(warehouse, runId);
        Map<String, Object> manifest = ManifestWriter.read(layout, conf);
        StringBuilder out = new StringBuilder();
        out.append("Run ").append(runId).append(" at ").append(layout.root()).append('\n');
        out.append("Manifest:\n");
        try {
            out.append(JSON.writeValueAsString(manifest)).append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot print manifest of run " + runId + ": " + e.getMessage(), e);
        }
        out.append(String.format(Locale.ROOT, "%-18s %12s %8s %14s%n", "table", "rows", "files", "bytes"));
        try {
            FileSystem fs = layout.fileSystem(conf);
            FileStatus[] entries = fs.listStatus(layout.root());
            java.util.Arrays.sort(entries);
            for (FileStatus s : entries) {
                String name = s.getPath().getName();
                if (!s.isDirectory() || name.startsWith("_") || name.startsWith(".")) {
                    continue;
                }
                Path table = s.getPath();
                ContentSummary summary = fs.getContentSummary(table);
                out.append(String.format(Locale.ROOT, "%-18s %12d %8d %14d%n", name, ParquetRows.rowCount(table, conf),
                        ParquetRows.files(table, conf).size(), summary.getLength()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list tables of run " + runId + ": " + e.getMessage(), e);
        }
        return out.toString();
    }
}
