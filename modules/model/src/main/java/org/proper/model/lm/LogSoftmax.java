package org.proper.model.lm;

import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.proper.model.gradient.ClosedFormGradients;

/**
 * Log-softmax and log-sum-exp along an axis, stabilised by the max, each with its gradient declared in closed form
 * ({@link ClosedFormGradients}): the loss's cross-entropy and the LoRA-aware router's log g use them.
 */
public final class LogSoftmax {
    private LogSoftmax() {
    }

    /**
     * log softmax along an axis as z − log Σ exp(z), z = x − max (SameDiff's logSoftmax(x, dim) fails in backprop).
     * dL/dx = eps − exp(y)·Σ eps along the axis, declared as a closed form (the max's gradient is 0).
     */
    public static SDVariable logSoftmax(SameDiff sd, SDVariable x, int axis, List<ClosedFormGradients.Rule> closedForms) {
        SDVariable z = x.sub(x.max(true, axis));
        SDVariable y = z.sub(sd.math.log(sd.math.exp(z).sum(true, axis)));
        closedForms.add(new ClosedFormGradients.Rule(x.name(), y.name(),
                (g, eps) -> eps.sub(g.math.exp(g.getVariable(y.name())).mul(eps.sum(true, axis)))));
        return y;
    }

    /**
     * log Σ exp(x) along an axis (axis removed), stabilised by the max. dL/dx = softmax(x)·eps = exp(x − y)·eps,
     * declared as a closed form.
     */
    public static SDVariable logSumExp(SameDiff sd, SDVariable x, int axis, List<ClosedFormGradients.Rule> closedForms) {
        SDVariable m = x.max(true, axis);
        SDVariable y = sd.math.log(sd.math.exp(x.sub(m)).sum(axis)).add(m.reshape(-1));
        closedForms.add(new ClosedFormGradients.Rule(x.name(), y.name(), (g, eps) -> g.math.exp(
                g.getVariable(x.name()).sub(g.expandDims(g.getVariable(y.name()), axis))).mul(g.expandDims(eps, axis))));
        return y;
    }
}
