package org.proper.model.lm;

import java.io.Serializable;

/**
 * Size and family of a decoder-only transformer. Validated on construction; errors name the option.
 *
 * @param nKvHeads key/value heads (grouped-query attention, Llama); must equal nHeads for GPT-2
 * @param normEps  LayerNorm / RMSNorm epsilon
 * @param ropeTheta RoPE base (Llama only)
 * @param tieEmbeddings output head shares the token embedding (always true for GPT-2)
 */
public record ModelConfig(Family family, int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads,
                          int dFfn, int maxSeqLen, double normEps, double ropeTheta, boolean tieEmbeddings)
        implements Serializable {

    public ModelConfig {
        if (family == null) throw new IllegalArgumentException("Cannot build model: family is null");
        positive("vocabSize", vocabSize);
        positive("dModel", dModel);
        positive("nLayers", nLayers);
        positive("nHeads", nHeads);
        positive("nKvHeads", nKvHeads);
        positive("dFfn", dFfn);
        positive("maxSeqLen", maxSeqLen);
        if (dModel % nHeads != 0)
            throw new IllegalArgumentException("Cannot build model: dModel " + dModel + " is not divisible by nHeads " + nHeads);
        if (nHeads % nKvHeads != 0)
            throw new IllegalArgumentException("Cannot build model: nHeads " + nHeads + " is not divisible by nKvHeads " + nKvHeads);
        if (family == Family.GPT2 && nKvHeads != nHeads)
            throw new IllegalArgumentException("Cannot build GPT-2 model: nKvHeads " + nKvHeads + " must equal nHeads " + nHeads);
        if (family == Family.GPT2 && !tieEmbeddings)
            throw new IllegalArgumentException("Cannot build GPT-2 model: tieEmbeddings must be true");
        if (family == Family.LLAMA && (headDimOf(dModel, nHeads) % 2 != 0))
            throw new IllegalArgumentException("Cannot build Llama model: head dim " + headDimOf(dModel, nHeads) + " must be even for RoPE");
        if (!(normEps > 0)) throw new IllegalArgumentException("Cannot build model: normEps must be > 0, got " + normEps);
        if (!(ropeTheta > 0)) throw new IllegalArgumentException("Cannot build model: ropeTheta must be > 0, got " + ropeTheta);
    }

    private static void positive(String option, int v) {
        if (v <= 0) throw new IllegalArgumentException("Cannot build model: " + option + " must be > 0, got " + v);
    }

    private static int headDimOf(int d, int h) {
        return d / h;
    }

    public int headDim() {
        return dModel / nHeads;
    }

    /** GPT-2 family model of the given size over the byte tokenizer's vocabulary. */
    public static ModelConfig gpt2(int dModel, int nLayers, int nHeads, int dFfn, int maxSeqLen) {
        return new ModelConfig(Family.GPT2, ByteTokenizer.VOCAB_SIZE, dModel, nLayers, nHeads, nHeads, dFfn, maxSeqLen,
                1e-5, 10000.0, true);
    }

    /** Llama family model of the given size over the byte tokenizer's vocabulary. */
    public static ModelConfig llama(int dModel, int nLayers, int nHeads, int nKvHeads, int dFfn, int maxSeqLen) {
        return new ModelConfig(Family.LLAMA, ByteTokenizer.VOCAB_SIZE, dModel, nLayers, nHeads, nKvHeads, dFfn, maxSeqLen,
                1e-5, 10000.0, false);
    }

    /** A few-thousand-parameter GPT-2 for unit tests. */
    public static ModelConfig tiny() {
        return gpt2(32, 2, 2, 64, 64);
    }

    /** A tiny Llama (GQA 4 heads / 2 kv heads) for unit tests. */
    public static ModelConfig tinyLlama() {
        return llama(32, 2, 4, 2, 64, 64);
    }

    /**
     * Default size for CPU training of many users: GPT-2 family, d=256, 2 layers, 4 heads, FFN 1024, 128 tokens
     * (d=256 makes the LoRA step GEMM-bound: 29 % of the GEMM rate per CPU-second vs 10 % at d=128; docs/BENCHMARKS.md).
     */
    public static ModelConfig defaults() {
        return gpt2(256, 2, 4, 1024, 128);
    }

    public ModelConfig withVocabSize(int v) {
        return new ModelConfig(family, v, dModel, nLayers, nHeads, nKvHeads, dFfn, maxSeqLen, normEps, ropeTheta, tieEmbeddings);
    }

    public ModelConfig withMaxSeqLen(int t) {
        return new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, dFfn, t, normEps, ropeTheta, tieEmbeddings);
    }
}
