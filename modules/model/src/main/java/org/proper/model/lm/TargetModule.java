package org.proper.model.lm;

import java.io.Serializable;

/**
 * A linear layer that LoRA can adapt: y[dOut] = W x[dIn] (+ b).
 *
 * @param name       module name, e.g. {@code h.0.mlp.c_fc} or {@code model.layers.0.mlp.up_proj}
 * @param weightName the HF tensor holding W
 * @param inOutLayout true for GPT-2 Conv1D weights stored [dIn, dOut(+...)], false for nn.Linear [dOut(+...), dIn]
 * @param outOffset  first output column/row of this module inside the weight (GPT-2 fused q/k/v)
 */
public record TargetModule(String name, LoraTarget kind, int dIn, int dOut, String weightName, boolean inOutLayout,
                           int outOffset) implements Serializable {
}
