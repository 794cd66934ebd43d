package org.proper.model.lm;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * GPT-2 (HF GPT2LMHeadModel): learned positions, pre-LayerNorm blocks with a fused c_attn (q, k, v) and a GELU MLP,
 * a final LayerNorm, the head tied to the token embedding. Weights in Conv1D layout x·W [din,dout].
 */
final class Gpt2Blocks extends BlockBuilder {
    private SDVariable embedding;

    Gpt2Blocks(GraphBuilder g, Attention attention, AdapterHook adapters) {
        super(g, attention, adapters);
    }

    @Override
    public SDVariable embed(SDVariable tokens) {
        int t = g.seqLen(), d = cfg.dModel();
        embedding = g.w("wte.weight");                                                                     // [V,d]
        SDVariable h = g.embedTokens(embedding, tokens);                                                   // [N,d]
        if (g.frozenPrefix()) return h;
        SDVariable pos = g.firstRows("wpe.weight", "wpe.slice");                                           // [T,d]
        return h.reshape(-1, t, d).add(pos).reshape(-1, d);                                                // [N,d]
    }

    /**
     * A GPT-2 block. Windowed (the top layer): the keys and values cover every position, the rest only the window's
     * rows, so it takes h [N,d] and returns [B·A,d].
     */
    @Override
    public SDVariable block(SDVariable h, int l, boolean windowed) {
        String p = "h." + l + ".";
        int t = windowed ? g.window() : g.seqLen();
        SDVariable m, z;
        if (l == 0 && g.frozenPrefix()) {
            h = LayerZeroOutputs.input(g, LayerZeroOutputs.RESIDUAL, cfg.dModel());
            m = LayerZeroOutputs.input(g, LayerZeroOutputs.NORM, cfg.dModel());
            z = LayerZeroOutputs.input(g, LayerZeroOutputs.FFN_IN, cfg.dFfn());
        } else {
            SDVariable a = Norms.layerNorm(g, h, g.w(p + "ln_1.weight"), g.w(p + "ln_1.bias"));          // [N,d]
            String wName = p + "attn.c_attn.weight", bName = p + "attn.c_attn.bias";
            SDVariable q, k, v;
            if (windowed) {                                  // queries only at the window's rows: c_attn's q columns on them
                int d = cfg.dModel();
                SDVariable aw = attention.inWindow(a, d, true);                                            // [B·A,d]
                q = adapters.adapt(p + "attn.q", aw, g.linear(aw, g.columns(wName, 0, d), g.columns(bName, 0, d), true), g.window());
                SDVariable[] kv = sd.split(g.linear(a, g.columns(wName, d, 3 * d), g.columns(bName, d, 3 * d), true), 2, 1);
                k = kv[0];
                v = adapters.adapt(p + "attn.v", a, kv[1], g.seqLen());
            } else {
                SDVariable[] s = sd.split(g.linear(a, g.w(wName), g.w(bName), true), 3, 1);               // 3×[N,d]
                q = adapters.adapt(p + "attn.q", a, s[0], g.seqLen());
                k = s[1];
                v = adapters.adapt(p + "attn.v", a, s[2], g.seqLen());
            }
            SDVariable o = attention.attend(q, k, v, windowed);                                            // [B·t,d]
            h = LayerZeroOutputs.named(g.plus(attention.inWindow(h, cfg.dModel(), windowed), g.linear(o, g.w(p + "attn.c_proj.weight"),
                    g.w(p + "attn.c_proj.bias"), true)), l, LayerZeroOutputs.RESIDUAL);
            m = LayerZeroOutputs.named(Norms.layerNorm(g, h, g.w(p + "ln_2.weight"), g.w(p + "ln_2.bias")), l, LayerZeroOutputs.NORM); // [B·t,d]
            z = LayerZeroOutputs.named(g.linear(m, g.w(p + "mlp.c_fc.weight"), g.w(p + "mlp.c_fc.bias"), true), l, LayerZeroOutputs.FFN_IN); // [B·t,f]
        }
        SDVariable f = FfnActivations.gelu(sd, adapters.adapt(p + "mlp.c_fc", m, z, t), g.closedForms()); // [B·t,f]
        return g.plus(h, linear(f, g.w(p + "mlp.c_proj.weight"), g.w(p + "mlp.c_proj.bias"), true, p + "mlp.c_proj", t)); // [B·t,d]
    }

    @Override
    public SDVariable finalNorm(SDVariable h) {
        return Norms.layerNorm(g, h, g.w("ln_f.weight"), g.w("ln_f.bias"));                               // [N,d] or [B·A,d]
    }

    /** The token embedding: GPT-2 ties its head to it. */
    @Override
    public SDVariable headWeight() {
        return embedding;                                                                                  // [V,d]
    }
}
