package org.proper.model.lm;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * What a block calls at each LoRA-targetable linear layer ({@link TargetModule}): the graph that builds the blocks
 * adds there whatever adapters it has. The language model knows the layers, not what adapts them.
 */
@FunctionalInterface
public interface AdapterHook {
    /** No adapters: every layer's output as it is. */
    AdapterHook NONE = (module, x, y, t) -> y;

    /**
     * The output y [rows,dout] = xW (+ b) of target module {@code module} plus every adapter's contribution, from its
     * input x [rows,din]; x and y hold t consecutive positions of each example (T, or the top layer's window).
     */
    SDVariable adapt(String module, SDVariable x, SDVariable y, int t);
}
