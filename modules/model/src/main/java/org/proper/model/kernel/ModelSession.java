package org.proper.model.kernel;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.config.ExecutionResult;
import org.nd4j.autodiff.samediff.config.SDValue;
import org.nd4j.autodiff.samediff.internal.AbstractSession.VarId;
import org.nd4j.autodiff.samediff.internal.FrameIter;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.shape.Reshape;

/**
 * The SameDiff session the model's graphs run in (SameDiff makes one per graph and thread through the factory
 * {@link #install} binds). Two things differ from SameDiff's own:
 * <ul>
 *   <li>{@link JavaKernels.Op}s are computed in Java, into the output array the session allocated.</li>
 *   <li>Reshapes of contiguous row-major arrays are views instead of copies. libnd4j's reshape op always copies into
 *   the output the session allocated: in a batched user step of the default model that is 9 ms of 140 ms inside ops,
 *   most of it the per-user LoRA's [N,f] ↔ [U,R,f] reshapes of the FFN hidden. A view of the same buffer holds the
 *   same values in the same order, so every result is bit-identical (tested). Only with {@link StepArrays} as the
 *   session's memory, which reuses a buffer only after the call that used it has ended (SameDiff's own manager may
 *   hand an input's buffer to a later op while a view of it is still read); no op of these graphs writes into its
 *   inputs. {@code -Dproper.reshapeViews=false} keeps SameDiff's copies (read when a session is made).</li>
 * </ul>
 */
public final class ModelSession extends InferenceSession {
    static final String VIEWS_SWITCH = "proper.reshapeViews";
    private static boolean installed;
    private final boolean views = Boolean.parseBoolean(System.getProperty(VIEWS_SWITCH, "true"));

    public ModelSession(SameDiff sd) {
        super(sd);
    }

    /** Makes SameDiff create sessions of this class for every graph, once per JVM (graphs with {@link JavaKernels} ops need it). */
    public static synchronized void install() {
        if (!installed) SameDiff.bindInferenceFactory(ModelSession::new);
        installed = true;
    }

    @Override
    public ExecutionResult doExec(DifferentialFunction op, OpContext oc, FrameIter frame, Set<VarId> opInputs, Set<VarId> allIterInputs,
                                  Set<String> constAndPhInputs, Map<String, SDValue> otherPlaceholders) {
        if (op instanceof JavaKernels.Op j) {
            j.compute(oc);
            return ExecutionResult.createFrom(op, oc);
        }
        if (views && op instanceof Reshape r && rowMajor(r) && oc.numInputArguments() >= 1 && getMmgr() instanceof StepArrays) {
            INDArray in = oc.getInputArray(0), out = oc.getOutputArray(0);
            if (out != null && rowMajorContiguous(in) && out.length() == in.length() && out.ordering() == 'c')
                return ExecutionResult.createFrom(List.of(op.outputVariablesNames()[0]), new INDArray[]{in.reshape('c', out.shape())});
        }
        return super.doExec(op, oc, frame, opInputs, allIterInputs, constAndPhInputs, otherPlaceholders);
    }

    /** The op reshapes in row-major order (its first integer argument; anything else goes to libnd4j). */
    private static boolean rowMajor(Reshape r) {
        long[] args = r.iArgs();
        return args != null && args.length > 0 && args[0] == Reshape.C_ORDER;
    }

    private static boolean rowMajorContiguous(INDArray a) {
        return a != null && !a.isEmpty() && JavaKernels.isRowMajor(a);
    }
}
