package org.proper.model.lm;

/** Decoder-only transformer families with Hugging Face-compatible weight names. */
public enum Family {
    /** Learned positions, LayerNorm, GELU (tanh) MLP, fused c_attn, tied head (HF GPT2LMHeadModel). */
    GPT2,
    /** RoPE, RMSNorm, SwiGLU MLP, grouped-query attention (HF LlamaForCausalLM). */
    LLAMA
}
