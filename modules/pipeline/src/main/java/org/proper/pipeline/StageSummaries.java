package org.proper.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.proper.pipeline.run.AtomicFiles;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Each completed stage leaves {@code <run>/_markers/<stage>.json} (its summary and wall time), so stages run as
 * separate spark-submit jobs (Airflow) still add up to one manifest at publish.
 */
public final class StageSummaries {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StageSummaries() {}

    static Path path(RunContext ctx, StageName stage) {
        return new Path(ctx.layout().markersDir(), stage.cliName() + ".json");
    }

    static void write(RunContext ctx, StageName stage, Map<String, Object> summary) {
        try {
            AtomicFiles.writeFile(path(ctx, stage), JSON.writeValueAsBytes(summary), ctx.hadoopConf());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write summary of stage " + stage.cliName(), e);
        }
    }

    /** Summaries of every completed stage, in stage order. */
    public static Map<String, Map<String, Object>> readAll(RunContext ctx) {
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        for (StageName s : StageName.values()) {
            Path p = path(ctx, s);
            try {
                FileSystem fs = p.getFileSystem(ctx.hadoopConf());
                if (!fs.exists(p)) continue;
                try (InputStream in = fs.open(p)) {
                    all.put(s.cliName(), JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {}));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read summary of stage " + s.cliName() + " at " + p, e);
            }
        }
        return all;
    }
}
