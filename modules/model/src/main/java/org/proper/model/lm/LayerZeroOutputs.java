package org.proper.model.lm;

import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Layer 0's adapter-independent outputs, under the names every block builder gives them, so that a graph of the base
 * can compute them and a graph built with a frozen prefix can take them as placeholders instead (the graph package's
 * FrozenPrefix): the residual stream after layer 0's attention, its FFN norm, and the frozen part of its FFN input
 * projections.
 */
public final class LayerZeroOutputs {
    /** The residual stream after layer 0's attention [N,d]. */
    public static final String RESIDUAL = "prefix.residual";
    /** Layer 0's FFN norm output [N,d]. */
    public static final String NORM = "prefix.norm";
    /** The frozen part of layer 0's first FFN input projection [N,f] (GPT-2 c_fc with its bias, Llama gate_proj). */
    public static final String FFN_IN = "prefix.ffnIn";
    /** Llama's second FFN input projection up_proj [N,f]. */
    public static final String FFN_UP = "prefix.ffnUp";

    private LayerZeroOutputs() {
    }

    /** The outputs a model of this family gives, in order. */
    public static List<String> names(ModelConfig c) {
        return c.family() == Family.LLAMA ? List.of(RESIDUAL, NORM, FFN_IN, FFN_UP) : List.of(RESIDUAL, NORM, FFN_IN);
    }

    /** Columns of an output: d for the residual and the norm, f for the FFN projections. */
    public static int cols(ModelConfig c, String name) {
        return name.equals(RESIDUAL) || name.equals(NORM) ? c.dModel() : c.dFfn();
    }

    /** A placeholder [N,cols] for one of layer 0's outputs, in a graph that takes them. */
    static SDVariable input(GraphBuilder g, String name, int cols) {
        return g.sd().placeHolder(name, g.dataType(), -1, cols);
    }

    /**
     * Layer 0's outputs carry these names in every graph, so that any graph of the base can compute them; renamed before
     * anything reads them, so that closed-form rules record the final names.
     */
    static SDVariable named(SDVariable x, int layer, String name) {
        return layer == 0 ? x.rename(name) : x;
    }
}
