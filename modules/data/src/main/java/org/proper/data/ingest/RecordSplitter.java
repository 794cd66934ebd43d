package org.proper.data.ingest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Splits an input stream into records without decoding it, so that one bad record (malformed JSON, invalid UTF-8)
 * never hides the others. Streams: one record in memory at a time.
 *
 * <ul>
 *   <li>JSON: a file whose first non-blank byte is '[' is a JSON array, split into its top-level elements (string
 *   and nesting aware; structural bytes are ASCII, so invalid UTF-8 inside strings cannot confuse it); any other file
 *   is JSON lines, one record per non-blank line. Position = element index, or line index (0-based).</li>
 *   <li>CSV: records end at a newline outside double quotes; position = record index (0 = the header).</li>
 * </ul>
 */
public final class RecordSplitter {

    private RecordSplitter() {}

    public static Iterator<RawRecord> json(String source, InputStream raw) {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        int first = peekNonBlank(in);
        return first == '[' ? new ArrayElements(source, in) : new Lines(source, in, false);
    }

    public static Iterator<RawRecord> csv(String source, InputStream raw) {
        return new Lines(source, new BufferedInputStream(raw, 1 << 16), true);
    }

    static int peekNonBlank(BufferedInputStream in) {
        try {
            while (true) {
                in.mark(1);
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                if (!isBlank(b) && b != 0xEF && b != 0xBB && b != 0xBF) { // also skip a UTF-8 BOM
                    in.reset();
                    return b;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isBlank(int b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private abstract static class Reader implements Iterator<RawRecord> {
        final String source;
        final InputStream in;
        RawRecord next;
        boolean done;

        Reader(String source, InputStream in) {
            this.source = source;
            this.in = in;
        }

        abstract RawRecord advance() throws IOException;

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = advance();
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + source + ": " + e.getMessage(), e);
                }
                if (next == null) {
                    done = true;
                }
            }
            return next != null;
        }

        @Override
        public RawRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            RawRecord r = next;
            next = null;
            return r;
        }

        static boolean blank(ByteArrayOutputStream buf) {
            for (byte b : buf.toByteArray()) {
                if (!isBlank(b)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Newline-terminated records; in CSV mode a newline inside double quotes does not end the record. */
    private static final class Lines extends Reader {
        private final boolean csvQuotes;
        private long lineIndex = -1;

        Lines(String source, InputStream in, boolean csvQuotes) {
            super(source, in);
            this.csvQuotes = csvQuotes;
        }

        @Override
        RawRecord advance() throws IOException {
            while (true) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                boolean quoted = false;
                int b;
                boolean any = false;
                while ((b = in.read()) >= 0) {
                    any = true;
                    if (b == '"' && csvQuotes) {
                        quoted = !quoted;
                    }
                    if (b == '\n' && !quoted) {
                        break;
                    }
                    buf.write(b);
                }
                if (!any) {
                    return null;
                }
                lineIndex++;
                byte[] bytes = buf.toByteArray();
                int len = bytes.length;
                if (len > 0 && bytes[len - 1] == '\r') {
                    bytes = java.util.Arrays.copyOf(bytes, len - 1);
                }
                if (csvQuotes || !blank(buf)) {
                    if (csvQuotes && bytes.length == 0) {
                        continue; // empty line in CSV: not a record
                    }
                    return new RawRecord(source, lineIndex, bytes);
                }
            }
        }
    }

    /** Top-level elements of a JSON array. */
    private static final class ArrayElements extends Reader {
        private long index = -1;
        private boolean started;

        ArrayElements(String source, InputStream in) {
            super(source, in);
        }

        @Override
        RawRecord advance() throws IOException {
            if (!started) {
                in.read(); // the '['
                started = true;
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int depth = 0;
            boolean inString = false, escape = false;
            int b;
            while ((b = in.read()) >= 0) {
                if (inString) {
                    buf.write(b);
                    if (escape) {
                        escape = false;
                    } else if (b == '\\') {
                        escape = true;
                    } else if (b == '"') {
                        inString = false;
                    }
                    continue;
                }
                if (b == '"') {
                    inString = true;
                } else if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    if (depth == 0 && b == ']') {
                        drain();
                        return emit(buf);
                    }
                    depth--;
                } else if (b == ',' && depth == 0) {
                    RawRecord r = emit(buf);
                    if (r != null) {
                        return r;
                    }
                    buf.reset();
                    continue;
                }
                buf.write(b);
            }
            return emit(buf); // end of input: a truncated element stays a (malformed) record
        }

        private RawRecord emit(ByteArrayOutputStream buf) {
            if (blank(buf)) {
                return null;
            }
            index++;
            return new RawRecord(source, index, buf.toByteArray());
        }

        private void drain() throws IOException {
            while (in.read() >= 0) {
                // trailing bytes after the closing ']' are ignored
            }
        }
    }
}
