package org.proper.model.method;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.Set;

import org.proper.model.lm.LoraTarget;

/**
 * LoRA hyper-parameters: rank r, alpha (scaling = alpha / r, as HF peft), and target kinds.
 */
public record LoraSpec(int rank, double alpha, Set<LoraTarget> targets) implements Serializable {
    public LoraSpec {
        if (rank <= 0) throw new IllegalArgumentException("Cannot build LoRA: rank must be > 0, got " + rank);
        if (!(alpha > 0)) throw new IllegalArgumentException("Cannot build LoRA: alpha must be > 0, got " + alpha);
        if (targets == null || targets.isEmpty()) throw new IllegalArgumentException("Cannot build LoRA: targets must not be empty");
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** FFN-only LoRA (DESIGN §2 default). */
    public static LoraSpec ffn(int rank, double alpha) {
        return new LoraSpec(rank, alpha, EnumSet.of(LoraTarget.FFN));
    }

    public double scaling() {
        return alpha / rank;
    }
}
