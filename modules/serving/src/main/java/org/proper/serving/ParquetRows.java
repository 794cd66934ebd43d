package org.proper.serving;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Reads Parquet tables written by Spark without starting Spark: parquet-hadoop's example {@link Group} records over
 * Hadoop's FileSystem (local or HDFS). Row groups whose statistics exclude the filter are skipped.
 */
final class ParquetRows {
    private ParquetRows() {}

    /** Data files under {@code dir} (recursively; names starting with "_" or "." are bookkeeping and skipped). */
    static List<Path> files(Path dir, Configuration conf) {
        List<Path> out = new ArrayList<>();
        try {
            FileSystem fs = dir.getFileSystem(conf);
            collect(fs, dir, out);
        } catch (FileNotFoundException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    private static void collect(FileSystem fs, Path dir, List<Path> out) throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (s.isDirectory()) {
                collect(fs, s.getPath(), out);
            } else if (name.endsWith(".parquet")) {
                out.add(s.getPath());
            }
        }
    }

    /** Calls {@code sink(file, record)} for every record of the files under {@code dir} that passes {@code filter}. */
    static void forEach(Path dir, FilterPredicate filter, Configuration conf, BiConsumer<Path, Group> sink) {
        for (Path file : files(dir, conf)) {
            try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf)
                    .withFilter(filter == null ? FilterCompat.NOOP : FilterCompat.get(filter)).build()) {
                for (Group g = reader.read(); g != null; g = reader.read()) {
                    sink.accept(file, g);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Rows of a table from its files' footers (no data pages read). */
    static long rowCount(Path dir, Configuration conf) {
        long rows = 0;
        for (Path file : files(dir, conf)) {
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
                for (BlockMetaData block : reader.getFooter().getBlocks()) {
                    rows += block.getRowCount();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read footer of " + file + ": " + e.getMessage(), e);
            }
        }
        return rows;
    }

    static int[] intList(Group g, String field) {
        Group list = g.getGroup(field, 0);
        int n = list.getFieldRepetitionCount("list");
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = list.getGroup("list", i).getInteger("element", 0);
        }
        return out;
    }

    static float[] floatList(Group g, String field) {
        Group list = g.getGroup(field, 0);
        int n = list.getFieldRepetitionCount("list");
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = list.getGroup("list", i).getFloat("element", 0);
        }
        return out;
    }

    static double[] doubleList(Group g, String field) {
        Group list = g.getGroup(field, 0);
        int n = list.getFieldRepetitionCount("list");
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = list.getGroup("list", i).getDouble("element", 0);
        }
        return out;
    }
}
