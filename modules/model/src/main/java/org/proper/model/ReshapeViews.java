package org.proper.model;

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
 * A SameDiff session whose reshapes of contiguous row-major arrays are views instead of copies. libnd4j's reshape op
 * always copies into the output the session allocated: in a batched user step of the default model that is 9 ms of
 * 140 ms inside ops, most of it the per-user LoRA's [N,f] ↔ [U,R,f] reshapes of the FFN hidden. A view of the same
 * buffer holds the same values in the same order, so every result is bit-identical (tested). It is safe with
 * {@link StepArrays}, which reuses a buffer only after the call that used it has ended; no op of these graphs writes
 * into its inputs. {@code -Dproper.reshapeViews=false} keeps SameDiff's copies (read when a graph's session is made).
 */
final class ReshapeViews extends InferenceSession {
    static final String SWITCH = "proper.reshapeViews";

    ReshapeViews(SameDiff sd) {
        super(sd);
    }

    /** The session for {@code sd} on a new thread: this one, unless the switch is off. */
    static InferenceSession sessionFor(SameDiff sd) {
        return Boolean.parseBoolean(System.getProperty(SWITCH, "true")) ? new ReshapeViews(sd) : new InferenceSession(sd);
    }

    @Override
    public ExecutionResult doExec(DifferentialFunction op, OpContext oc, FrameIter frame, Set<VarId> opInputs, Set<VarId> allIterInputs,
                                  Set<String> constAndPhInputs, Map<String, SDValue> otherPlaceholders) {
        if (op instanceof Reshape r && rowMajor(r) && oc.numInputArguments() >= 1) {
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
        return a != null && !a.isEmpty() && a.ordering() == 'c' && a.offset() == 0 && a.elementWiseStride() == 1
                && a.data().length() >= a.length();
    }
}
