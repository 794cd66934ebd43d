package org.proper.model.lm;

/** Which linear layers receive LoRA updates (DESIGN §2: the FFN projections by default; attention q/v optional). */
public enum LoraTarget {
    /** GPT-2 mlp.c_fc + mlp.c_proj; Llama mlp.gate_proj + up_proj + down_proj. */
    FFN,
    /** Attention query projection (GPT-2: the q third of attn.c_attn). */
    ATTN_Q,
    /** Attention value projection (GPT-2: the v third of attn.c_attn). */
    ATTN_V
}
