package org.proper.model.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The memory of one graph's SameDiff session on one thread: every buffer a call allocates is handed out again by the
 * next call ({@link #recycle}, from {@link org.proper.model.graph.ModelGraph#feed}), so a call's results are valid until the next call on the
 * same graph and thread. Once warm, a training step allocates no native memory and frees none: the process stays at
 * one step's working set without a garbage collection. (SameDiff's own manager gets most arrays back only through
 * the garbage collector — about 1 GB per batched user step of the default model — and allocating them again was a
 * quarter of the step.) SameDiff's early {@link #release}s are ignored: a buffer is reused only after the call that
 * used it has ended.
 */
public final class StepArrays extends AbstractMemoryMgr {
    private final Map<String, ArrayDeque<DataBuffer>> free = new HashMap<>();
    private final List<DataBuffer> used = new ArrayList<>();

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return allocate(dataType, 'c', shape);
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) return Nd4j.create(descriptor);
        return allocate(descriptor.dataType(), descriptor.getOrder(), descriptor.getShape());
    }

    private INDArray allocate(DataType dataType, char order, long[] shape) {
        long length = 1;
        for (long s : shape) length *= s;
        ArrayDeque<DataBuffer> same = free.get(key(dataType, length));
        if (same == null || same.isEmpty()) {
            INDArray fresh = Nd4j.createUninitializedDetached(dataType, order, shape);
            used.add(fresh.data());
            return fresh;
        }
        DataBuffer buffer = same.pop();
        used.add(buffer);
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, order), 0, order);   // a new array object per use
    }

    private static String key(DataType dataType, long length) {
        return dataType + ":" + length;
    }

    /** The previous call is over: its buffers serve the next one. */
    public void recycle() {
        for (DataBuffer b : used) free.computeIfAbsent(key(b.dataType(), b.length()), k -> new ArrayDeque<>()).push(b);
        used.clear();
    }

    @Override
    public void release(INDArray array) {
        // reused after the call ends (recycle), never while the call may still read it
    }

    @Override
    public void close() {
        recycle();
        free.values().forEach(q -> q.forEach(DataBuffer::close));
        free.clear();
    }
}
