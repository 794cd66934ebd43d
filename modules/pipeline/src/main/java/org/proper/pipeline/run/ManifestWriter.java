package org.proper.pipeline.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Writes a run's {@code _manifest.json} (DESIGN §5) LAST and atomically (temp file + rename): a run is visible to
 * readers (serving, {@code proper inspect}) only once this file exists. Content (config, hashes, counts, timings,
 * metrics summary) is the caller's; this class adds {@code run_id}, {@code warehouse} and {@code published_at}.
 */
public final class ManifestWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final RunLayout layout;
    private final Configuration conf;

    public ManifestWriter(RunLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
    }

    /** Publishes the run: writes the manifest (replacing one from an earlier publish of the same run id). */
    public Path write(Map<String, ?> content) {
        Map<String, Object> manifest = new LinkedHashMap<>(content);
        manifest.put("run_id", layout.runId());
        manifest.put("warehouse", layout.warehouse());
        manifest.putIfAbsent("published_at", Instant.now().toString());
        try {
            AtomicFiles.writeFile(layout.manifest(), JSON.writeValueAsBytes(manifest), conf);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialise manifest of run " + layout.runId() + ": " + e.getMessage(), e);
        }
        return layout.manifest();
    }

    public boolean isPublished() {
        return AtomicFiles.exists(layout.manifest(), conf);
    }

    /** Reads a published run's manifest; fails naming the run if it has none. */
    public Map<String, Object> read() {
        return read(layout, conf);
    }

    public static Map<String, Object> read(RunLayout layout, Configuration conf) {
        Path path = layout.manifest();
        try (InputStream in = path.getFileSystem(conf).open(path)) {
            return JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalStateException("Cannot read run " + layout.runId() + ": it is not published (no " + path + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read manifest " + path + ": " + e.getMessage(), e);
        }
    }
}
