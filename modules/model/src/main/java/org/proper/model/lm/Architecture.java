package org.proper.model.lm;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Hugging Face tensor names and shapes per family, and the LoRA-targetable modules. */
public final class Architecture {
    private Architecture() {
    }

    /** Every weight of the model, HF name → shape, in checkpoint order. */
    public static Map<String, long[]> weightShapes(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int d = c.dModel(), f = c.dFfn(), hd = c.headDim();
        if (c.family() == Family.GPT2) {
            m.put("wte.weight", new long[]{c.vocabSize(), d});
            m.put("wpe.weight", new long[]{c.maxSeqLen(), d});
            for (int i = 0; i < c.nLayers(); i++) {
                String p = "h." + i + ".";
                m.put(p + "ln_1.weight", new long[]{d});
                m.put(p + "ln_1.bias", new long[]{d});
                m.put(p + "attn.c_attn.weight", new long[]{d, 3L * d});
                m.put(p + "attn.c_attn.bias", new long[]{3L * d});
                m.put(p + "attn.c_proj.weight", new long[]{d, d});
                m.put(p + "attn.c_proj.bias", new long[]{d});
                m.put(p + "ln_2.weight", new long[]{d});
                m.put(p + "ln_2.bias", new long[]{d});
                m.put(p + "mlp.c_fc.weight", new long[]{d, f});
                m.put(p + "mlp.c_fc.bias", new long[]{f});
                m.put(p + "mlp.c_proj.weight", new long[]{f, d});
                m.put(p + "mlp.c_proj.bias", new long[]{d});
            }
            m.put("ln_f.weight", new long[]{d});
            m.put("ln_f.bias", new long[]{d});
        } else {
            int kv = c.nKvHeads() * hd;
            m.put("model.embed_tokens.weight", new long[]{c.vocabSize(), d});
            for (int i = 0; i < c.nLayers(); i++) {
                String p = "model.layers." + i + ".";
                m.put(p + "input_layernorm.weight", new long[]{d});
                m.put(p + "self_attn.q_proj.weight", new long[]{(long) c.nHeads() * hd, d});
                m.put(p + "self_attn.k_proj.weight", new long[]{kv, d});
                m.put(p + "self_attn.v_proj.weight", new long[]{kv, d});
                m.put(p + "self_attn.o_proj.weight", new long[]{d, (long) c.nHeads() * hd});
                m.put(p + "post_attention_layernorm.weight", new long[]{d});
                m.put(p + "mlp.gate_proj.weight", new long[]{f, d});
                m.put(p + "mlp.up_proj.weight", new long[]{f, d});
                m.put(p + "mlp.down_proj.weight", new long[]{d, f});
            }
            m.put("model.norm.weight", new long[]{d});
            if (!c.tieEmbeddings()) m.put("lm_head.weight", new long[]{c.vocabSize(), d});
        }
        return m;
    }

    /** Is this weight a norm gain (initialised to 1)? */
    static boolean isNormGain(String name) {
        return name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name.equals("ln_f.weight")
                || name.endsWith("layernorm.weight") || name.equals("model.norm.weight");
    }

    /** The LoRA-targetable modules of the model for the given target kinds, layer by layer. */
    public static List<TargetModule> targets(ModelConfig c, Set<LoraTarget> kinds) {
        List<TargetModule> out = new ArrayList<>();
        int d = c.dModel(), f = c.dFfn(), hd = c.headDim();
        for (int i = 0; i < c.nLayers(); i++) {
            if (c.family() == Family.GPT2) {
                String p = "h." + i + ".";
                if (kinds.contains(LoraTarget.ATTN_Q))
                    out.add(new TargetModule(p + "attn.q", LoraTarget.ATTN_Q, d, d, p + "attn.c_attn.weight", true, 0));
                if (kinds.contains(LoraTarget.ATTN_V))
                    out.add(new TargetModule(p + "attn.v", LoraTarget.ATTN_V, d, d, p + "attn.c_attn.weight", true, 2 * d));
                if (kinds.contains(LoraTarget.FFN)) {
                    out.add(new TargetModule(p + "mlp.c_fc", LoraTarget.FFN, d, f, p + "mlp.c_fc.weight", true, 0));
                    out.add(new TargetModule(p + "mlp.c_proj", LoraTarget.FFN, f, d, p + "mlp.c_proj.weight", true, 0));
                }
            } else {
                String p = "model.layers." + i + ".";
                if (kinds.contains(LoraTarget.ATTN_Q))
                    out.add(new TargetModule(p + "self_attn.q_proj", LoraTarget.ATTN_Q, d, c.nHeads() * hd, p + "self_attn.q_proj.weight", false, 0));
                if (kinds.contains(LoraTarget.ATTN_V))
                    out.add(new TargetModule(p + "self_attn.v_proj", LoraTarget.ATTN_V, d, c.nKvHeads() * hd, p + "self_attn.v_proj.weight", false, 0));
                if (kinds.contains(LoraTarget.FFN)) {
                    out.add(new TargetModule(p + "mlp.gate_proj", LoraTarget.FFN, d, f, p + "mlp.gate_proj.weight", false, 0));
                    out.add(new TargetModule(p + "mlp.up_proj", LoraTarget.FFN, d, f, p + "mlp.up_proj.weight", false, 0));
                    out.add(new TargetModule(p + "mlp.down_proj", LoraTarget.FFN, f, d, p + "mlp.down_proj.weight", false, 0));
                }
            }
        }
        return out;
    }

    public static List<TargetModule> allTargets(ModelConfig c) {
        return targets(c, EnumSet.allOf(LoraTarget.class));
    }
}
