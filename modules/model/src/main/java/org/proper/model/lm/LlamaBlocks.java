package org.proper.model.lm;

import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Llama (HF LlamaForCausalLM): RoPE on queries and keys, pre-RMSNorm blocks with grouped-query attention and a
 * SwiGLU MLP, a final RMSNorm, the head tied or its own. Weights in nn.Linear layout [dout,din].
 */
final class LlamaBlocks extends BlockBuilder {
    private SDVariable embedding;
    private Rope rope;

    LlamaBlocks(GraphBuilder g, Attention attention, AdapterHook adapters) {
        super(g, attention, adapters);
    }

    @Override
    public SDVariable embed(SDVariable tokens) {
        embedding = g.w("model.embed_tokens.weight");                                                      // [V,d]
        SDVariable h = g.embedTokens(embedding, tokens);                                                   // [N,d]
        rope = new Rope(g);
        return h;
    }

    /** A Llama block; windowed as for {@link Gpt2Blocks#block}. */
    @Override
    public SDVariable block(SDVariable h, int l, boolean windowed) {
        String p = "model.layers." + l + ".";
        int t = windowed ? g.window() : g.seqLen();
        SDVariable m, gate0, up0;
        if (l == 0 && g.frozenPrefix()) {
            h = LayerZeroOutputs.input(g, LayerZeroOutputs.RESIDUAL, cfg.dModel());
            m = LayerZeroOutputs.input(g, LayerZeroOutputs.NORM, cfg.dModel());
            gate0 = LayerZeroOutputs.input(g, LayerZeroOutputs.FFN_IN, cfg.dFfn());
            up0 = LayerZeroOutputs.input(g, LayerZeroOutputs.FFN_UP, cfg.dFfn());
        } else {
            SDVariable a = Norms.rmsNorm(g, h, g.w(p + "input_layernorm.weight"));                        // [N,d]
            SDVariable aq = attention.inWindow(a, cfg.dModel(), windowed);                                 // the queries' rows
            SDVariable q = linear(aq, g.w(p + "self_attn.q_proj.weight"), null, false, p + "self_attn.q_proj", t); // [B·t,H·hd]
            SDVariable k = g.linear(a, g.w(p + "self_attn.k_proj.weight"), null, false);                   // [N,Hkv·hd]
            SDVariable v = linear(a, g.w(p + "self_attn.v_proj.weight"), null, false, p + "self_attn.v_proj", g.seqLen()); // [N,Hkv·hd]
            q = rope.queries(q, windowed);                                                                 // at their own positions
            k = rope.keys(k);
            SDVariable o = attention.attend(q, k, v, windowed);                                            // [B·t,H·hd]
            h = LayerZeroOutputs.named(g.plus(attention.inWindow(h, cfg.dModel(), windowed), g.linear(o, g.w(p + "self_attn.o_proj.weight"), null, false)),
                    l, LayerZeroOutputs.RESIDUAL);
            m = LayerZeroOutputs.named(Norms.rmsNorm(g, h, g.w(p + "post_attention_layernorm.weight")), l, LayerZeroOutputs.NORM); // [B·t,d]
            gate0 = LayerZeroOutputs.named(g.linear(m, g.w(p + "mlp.gate_proj.weight"), null, false), l, LayerZeroOutputs.FFN_IN); // [B·t,f]
            up0 = LayerZeroOutputs.named(g.linear(m, g.w(p + "mlp.up_proj.weight"), null, false), l, LayerZeroOutputs.FFN_UP);     // [B·t,f]
        }
        SDVariable gate = adapters.adapt(p + "mlp.gate_proj", m, gate0, t);                                // [B·t,f]
        SDVariable up = adapters.adapt(p + "mlp.up_proj", m, up0, t);                                      // [B·t,f]
        SDVariable act = FfnActivations.silu(sd, gate, g.closedForms()).mul(up);                           // SwiGLU [B·t,f]
        return g.plus(h, linear(act, g.w(p + "mlp.down_proj.weight"), null, false, p + "mlp.down_proj", t));   // [B·t,d]
    }

    @Override
    public SDVariable finalNorm(SDVariable h) {
        return Norms.rmsNorm(g, h, g.w("model.norm.weight"));                                              // [N,d] or [B·A,d]
    }

    @Override
    public SDVariable headWeight() {
        return cfg.tieEmbeddings() ? embedding : g.w("lm_head.weight");                                    // [V,d]
    }

    /** RoPE's cos and sin at each row's window positions. */
    @Override
    public void feedWindows(int rows, int[] start, Map<String, INDArray> ph) {
        rope.feedWindows(rows, start, ph);
    }
}
