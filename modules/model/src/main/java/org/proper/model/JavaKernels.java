package org.proper.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * What the graph ops computed in Java share ({@link ActivationOps}, {@link RowGather}): whether graphs take them,
 * how {@link ModelSession} runs them, and how they read ND4J's buffers.
 * <p>Graphs built while {@link #available} — the JVM has {@code jdk.incubator.vector} (conf/jvm.flags adds it) and
 * {@code -Dproper.javaKernels} is not false — take these ops; else they keep ND4J's. The vector classes are loaded
 * only then.
 */
final class JavaKernels {
    static final String SWITCH = "proper.javaKernels";
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

    /** Whether graphs built now take the Java ops. */
    static boolean available() {
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

    /** Row-major with its elements from the start of its buffer, so that the buffer is the array. */
    static boolean isRowMajor(INDArray a) {
        return a.ordering() == 'c' && Tensors.fromBufferStart(a);
    }

    /** The array itself when {@link #isRowMajor}, else a row-major copy. */
    static INDArray rowMajor(INDArray a) {
        return isRowMajor(a) ? a : a.dup('c');
    }

    /** A {@link #isRowMajor} float array's buffer as native-order bytes, float i at byte 4·i. */
    static ByteBuffer bytes(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder());
    }
}
