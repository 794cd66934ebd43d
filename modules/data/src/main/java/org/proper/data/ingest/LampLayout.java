package org.proper.data.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files of a LaMP directory: {@code {train,dev,test}_questions*} and {@code {train,dev,test}_outputs*}, each a
 * file or a directory of part files (as Spark writes them).
 */
record LampLayout(Map<String, List<String>> questions, Map<String, List<String>> outputs) {

    private static final Pattern NAME = Pattern.compile("^(train|dev|test)_(questions|outputs)(\\..*)?$");
    private static final Pattern TASK = Pattern.compile("\"task\"\\s*:\\s*\"([^\"]+)\"");

    static LampLayout discover(Configuration conf, String dir) {
        Map<String, List<String>> questions = new TreeMap<>(), outputs = new TreeMap<>();
        try {
            Path root = new Path(dir);
            FileSystem fs = root.getFileSystem(conf);
            for (FileStatus st : fs.listStatus(root)) {
                Matcher m = NAME.matcher(st.getPath().getName());
                if (m.matches()) {
                    (m.group(2).equals("questions") ? questions : outputs)
                            .computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(st.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list LaMP directory " + dir + ": " + e.getMessage(), e);
        }
        if (questions.isEmpty()) {
            throw new IllegalArgumentException("Cannot ingest LaMP directory " + dir
                    + " (option 'input'): no dev_questions.json, test_questions.json or train_questions.json in it");
        }
        return new LampLayout(questions, outputs);
    }

    /** The task name from the first 64 KiB of the outputs files ({@code "task": "..."}), if any. */
    Optional<String> taskName(Configuration conf) {
        for (List<String> paths : outputs.values()) {
            for (String p : paths) {
                try {
                    Path path = new Path(p);
                    FileSystem fs = path.getFileSystem(conf);
                    for (FileStatus st : fs.isDirectory(path) ? fs.listStatus(path) : new FileStatus[] {fs.getFileStatus(path)}) {
                        String name = st.getPath().getName();
                        if (st.isDirectory() || name.startsWith("_") || name.startsWith(".")) {
                            continue;
                        }
                        try (InputStream in = fs.open(st.getPath())) {
                            byte[] head = in.readNBytes(1 << 16);
                            Matcher m = TASK.matcher(new String(head, StandardCharsets.UTF_8));
                            if (m.find()) {
                                return Optional.of(m.group(1));
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read outputs file " + p + ": " + e.getMessage(), e);
                }
            }
        }
        return Optional.empty();
    }
}
