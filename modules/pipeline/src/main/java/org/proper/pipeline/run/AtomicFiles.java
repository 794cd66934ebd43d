package org.proper.pipeline.run;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Write-then-rename helpers on Hadoop file systems (local and HDFS), so a reader sees either nothing or the whole
 * file/directory, never a half-written one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes {@code bytes} to a hidden temp file next to {@code target}, then renames it over {@code target}. */
    public static void writeFile(Path target, byte[] bytes, Configuration conf) {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            FileSystem fs = target.getFileSystem(conf);
            fs.mkdirs(target.getParent());
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            }
            // FileContext.rename with OVERWRITE is a single atomic rename on HDFS and on the local file system
            FileContext.getFileContext(target.toUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Moves a fully written directory into place, replacing whatever is at {@code target} (e.g. the leftovers of an
     * interrupted attempt). The replace is delete + rename: callers mark completion only after this returns.
     */
    public static void replaceDirectory(Path source, Path target, Configuration conf) {
        try {
            FileSystem fs = target.getFileSystem(conf);
            if (fs.exists(target) && !fs.delete(target, true)) {
                throw new IOException("could not delete previous " + target);
            }
            fs.mkdirs(target.getParent());
            if (!fs.rename(source, target)) {
                throw new IOException("rename from " + source + " returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move " + source + " to " + target + ": " + e.getMessage(), e);
        }
    }

    public static boolean exists(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check " + path + ": " + e.getMessage(), e);
        }
    }

    public static void deleteRecursively(Path path, Configuration conf) {
        try {
            path.getFileSystem(conf).delete(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
        }
    }
}
