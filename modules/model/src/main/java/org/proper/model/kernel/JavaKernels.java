package org.proper.model.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the graph ops computed in Java share ({@link ActivationOps}, {@link RowGather}, {@link Softmax}, {@link BatchedMatmul}): whether
 * graphs take them, how {@link ModelSession} runs them, and how they read ND4J's buffers.
 * <p>Graphs built while {@link #available} — the JVM has {@code jdk.incubator.vector} (conf/jvm.flags adds it) and
 * {@code -Dproper.javaKernels} is not false — take these ops; else they keep ND4J's. The vector classes are loaded
 * only then.
 */
public final class JavaKernels {
    public static final String SWITCH = "proper.javaKernels";
    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private JavaKernels() {
    }

    /**
     * An op of one output, of its first input's type and without properties, that {@link ModelSession} computes by
     * calling {@link #compute} into the output it allocated.
     */
    abstract static class Op extends DynamicCustomOp {
        Op() {
        }

        Op(SameDiff sd, SDVariable... inputs) {
            super(null, sd, inputs);
        }

        abstract void compute(OpContext oc);

        @Override
        public int getNumOutputs() {
            return 1;
        }

        @Override
        public List<DataType> calculateOutputDataTypes(List<DataType> in) {
            return List.of(in.get(0));
        }

        @Override
        public Map<String, Object> propertiesForFunction() {
            return new HashMap<>();
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
        }
    }

    /**
     * An op of one or two inputs of one shape (x, and for a backprop eps = dL/dy) and an output of that shape: float
     * arrays through {@link #floats} in their native buffers, double arrays (the gradient checks) through
     * {@link #doubles}. An input that is not {@link #isRowMajor} is copied first.
     */
    abstract static class SameShapeOp extends Op {
        SameShapeOp() {
        }

        SameShapeOp(SameDiff sd, SDVariable... inputs) {
            super(sd, inputs);
        }

        /** out = f(x, e) for row-major arrays of the given shape, floats in native byte order; e is null for a one-input op. */
        abstract void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, long[] shape);

        abstract void doubles(DoubleBuffer x, DoubleBuffer e, DoubleBuffer out, long[] shape);

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
            INDArray x = oc.getInputArray(0);
            return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
        }

        /** Computes the output the session allocated (see {@link ModelSession}), reading and writing ND4J's buffers in place. */
        @Override
        void compute(OpContext oc) {
            INDArray x = rowMajor(oc.getInputArray(0));
            INDArray e = oc.numInputArguments() > 1 ? rowMajor(oc.getInputArray(1)) : null, out = oc.getOutputArray(0);
            if (e != null && e.length() != x.length())
                throw new IllegalStateException(opName() + ": inputs of " + x.length() + " and " + e.length() + " elements");
            requireFloatOrDouble(opName(), x.dataType());
            intoOutput(out, y -> {
                if (x.dataType() == DataType.FLOAT) floats(bytes(x), e == null ? null : bytes(e), bytes(y), x.shape());
                else doubles(x.data().asNioDouble(), e == null ? null : e.data().asNioDouble(), y.data().asNioDouble(), x.shape());
            });
        }
    }

    /** Refuses, by op and type, an array the Java ops cannot compute on: they take FLOAT and DOUBLE. */
    static void requireFloatOrDouble(String opName, DataType dt) {
        if (dt != DataType.FLOAT && dt != DataType.DOUBLE)
            throw new IllegalStateException("Cannot compute " + opName + " on " + dt + ": FLOAT or DOUBLE only");
    }

    /**
     * Has {@code fill} compute the session's output {@code out}: into out itself where it {@link #isRowMajor}, else
     * into a row-major array of its type and shape that is then copied into it.
     */
    static void intoOutput(INDArray out, Consumer<INDArray> fill) {
        INDArray y = isRowMajor(out) ? out : Nd4j.create(out.dataType(), out.shape(), 'c');
        fill.accept(y);
        if (y != out) out.assign(y);
    }

    /** The number of elements of an array of this shape, which the Java ops index with ints. */
    static int length(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return Math.toIntExact(n);
    }

    /** Whether graphs built now take the Java ops. */
    public static boolean available() {
        return VECTOR_API && Boolean.parseBoolean(System.getProperty(SWITCH, "true"));
    }

    /**
     * Lets SameDiff find the ops by name (it copies a graph's ops by name and reflection when it builds the gradient
     * function, so each op class is public with a no-argument constructor) and makes graphs run in {@link ModelSession}.
     */
    static void register(DynamicCustomOp... ops) {
        for (DynamicCustomOp op : ops) ImportClassMapping.getOpNameMapping().putIfAbsent(op.opName(), op);
        ModelSession.install();
    }

    /**
     * The array's elements lie in its buffer from the buffer's start, one after another in the array's order: index i
     * of {@code a.data().asNioFloat()} (or {@code asNioDouble()}) is element i.
     */
    public static boolean fromBufferStart(INDArray a) {
        return a.offset() == 0 && a.elementWiseStride() == 1 && a.data().length() >= a.length();
    }

    /** Row-major with its elements from the start of its buffer, so that the buffer is the array. */
    static boolean isRowMajor(INDArray a) {
        return a.ordering() == 'c' && fromBufferStart(a);
    }

    /** The array itself when {@link #isRowMajor}, else a row-major copy. */
    static INDArray rowMajor(INDArray a) {
        return isRowMajor(a) ? a : a.dup('c');
    }

    /** A {@link #isRowMajor} float array's buffer as native-order bytes, float i at byte 4·i. */
    public static ByteBuffer bytes(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder());
    }
}
