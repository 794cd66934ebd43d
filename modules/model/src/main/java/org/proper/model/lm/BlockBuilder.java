package org.proper.model.lm;

import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The graph pieces of one model family: token embeddings, a transformer block, the final norm and the head's weight,
 * built on a {@link GraphBuilder} with the graph's {@link Attention} and calling the {@link AdapterHook} at every
 * LoRA-targetable layer. A family is one subclass (and one case of {@link #of}). Blocks take h [N,d] and return
 * [N,d]; the top layer, windowed, returns only its window's rows [B·A,d] (its keys and values still cover every
 * position). With a frozen prefix, layer 0 takes its {@link LayerZeroOutputs} as placeholders.
 */
public abstract class BlockBuilder {
    protected final GraphBuilder g;
    protected final SameDiff sd;
    protected final ModelConfig cfg;
    protected final Attention attention;
    protected final AdapterHook adapters;

    protected BlockBuilder(GraphBuilder g, Attention attention, AdapterHook adapters) {
        this.g = g;
        this.sd = g.sd();
        this.cfg = g.config();
        this.attention = attention;
        this.adapters = adapters;
    }

    /** The builder of the graph's family. */
    public static BlockBuilder of(GraphBuilder g, Attention attention, AdapterHook adapters) {
        return switch (g.config().family()) {
            case GPT2 -> new Gpt2Blocks(g, attention, adapters);
            case LLAMA -> new LlamaBlocks(g, attention, adapters);
        };
    }

    /** The token embeddings (with positions, where the family adds them there) of tokens [B,T] → [N,d]; null with a frozen prefix. */
    public abstract SDVariable embed(SDVariable tokens);

    /** Layer l on h [N,d] → [N,d]; windowed (the top layer), → [B·A,d]. */
    public abstract SDVariable block(SDVariable h, int layer, boolean windowed);

    /** The final norm, [N,d] (or [B·A,d]) → the same shape. */
    public abstract SDVariable finalNorm(SDVariable h);

    /** The LM head's weight [V,d] (the token embedding where the family ties them). */
    public abstract SDVariable headWeight();

    /** Feeds the family's own inputs of the top layer's windows, which start at {@code start} [rows] (none by default). */
    public void feedWindows(int rows, int[] start, Map<String, INDArray> ph) {
    }

    /** Frozen y = xW (+b) of a target module on rows of t positions per example, plus every adapter's contribution. */
    protected SDVariable linear(SDVariable x, SDVariable wt, SDVariable bias, boolean inOut, String module, int t) {
        return adapters.adapt(module, x, g.linear(x, wt, bias, inOut), t);
    }
}
