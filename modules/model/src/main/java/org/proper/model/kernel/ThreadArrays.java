package org.proper.model.kernel;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Native arrays that a thread's training calls reuse from one call to the next, outside the graphs' own memory
 * ({@link StepArrays}): one grow-only buffer per purpose and column count. A call gets a row-major [rows, cols] array
 * over the front of it, holding whatever the last call left there (the caller writes every element it reads).
 * <p>
 * Why: a fresh native array of megabytes is fresh pages, and touching them costs page faults and the kernel's zeroing
 * on every call. {@link org.proper.model.graph.FrozenPrefix} asked for its cache and its batch arrays (12 MB a step and 15 MB a call for 32
 * users of the default model) afresh each call, and filling them was about a tenth of a batched call (docs/BENCHMARKS.md).
 * {@link #release} (from {@link org.proper.model.graph.GraphCache#releaseArrays}, at the end of a Spark task) frees them.
 */
public final class ThreadArrays {
    private static final ThreadLocal<Map<String, DataBuffer>> BUFFERS = ThreadLocal.withInitial(HashMap::new);

    private ThreadArrays() {
    }

    /** A [rows, cols] row-major array of this thread for {@code purpose}; valid until this thread asks for the same purpose again. */
    public static INDArray get(String purpose, DataType dt, long rows, long cols) {
        long length = rows * cols;
        Map<String, DataBuffer> m = BUFFERS.get();
        String key = purpose + '/' + dt + '/' + cols;
        DataBuffer b = m.get(key);
        if (b == null || b.length() < length) {
            if (b != null) b.close();
            b = Nd4j.createUninitializedDetached(dt, 'c', Math.max(1, length)).data();
            m.put(key, b);
        }
        return Nd4j.create(b, new long[]{rows, cols}, new long[]{cols, 1}, 0, 'c');
    }

    /** Sets every element of this thread's buffers to v (a test's stand-in for what a buffer may hold when reused). */
    public static void fill(double v) {
        BUFFERS.get().values().forEach(b -> Nd4j.create(b, new long[]{b.length()}, new long[]{1}, 0, 'c').assign(v));
    }

    /** Frees this thread's arrays; later calls allocate afresh. */
    public static void release() {
        Map<String, DataBuffer> m = BUFFERS.get();
        m.values().forEach(DataBuffer::close);
        m.clear();
    }
}
