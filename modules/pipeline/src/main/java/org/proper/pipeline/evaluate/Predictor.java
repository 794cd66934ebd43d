package org.proper.pipeline.evaluate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.proper.eval.metrics.TaskSpec;
import org.proper.model.infer.Composition;
import org.proper.model.infer.Generator;
import org.proper.model.lm.Tokenizer;
import org.proper.pipeline.train.ExampleEncoder;

/**
 * Answers a query with a composed model: constrained decoding to the label set for classification and rating
 * (the label with the highest log-likelihood, EOS included so "C" and "C++" differ), greedy decoding otherwise.
 */
public final class Predictor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ExampleEncoder encoder;
    private final int maxNewTokens;
    private final List<String> labels;
    private final List<int[]> labelTokens;

    /** Generates up to the run's answer budget (what training reserved for an answer), EOS excluded. */
    public Predictor(TaskSpec task, ExampleEncoder encoder) {
        this(task, encoder, encoder.answerBudget() - 1);
    }

    /**
     * @param encoder      the run's encoder for this task (prompts are cut exactly as in training)
     * @param maxNewTokens longest generated answer (generation tasks only; the label set bounds the others)
     */
    public Predictor(TaskSpec task, ExampleEncoder encoder, int maxNewTokens) {
        if (maxNewTokens < 1) throw new IllegalArgumentException("Cannot predict: max new tokens must be at least 1, got " + maxNewTokens);
        this.encoder = encoder;
        this.maxNewTokens = maxNewTokens;
        this.labels = TaskSpecs.answers(task);
        Tokenizer tok = encoder.tokenizer();
        this.labelTokens = new ArrayList<>();
        for (String l : labels) {
            int[] ids = tok.encode(l);
            int[] withEos = Arrays.copyOf(ids, ids.length + 1);
            withEos[ids.length] = tok.eos();
            labelTokens.add(withEos);
        }
    }

    /** The answers constrained decoding chooses from (labels or ratings), empty for a generation task. */
    public List<String> labels() {
        return List.copyOf(labels);
    }

    /**
     * Each label's total log-likelihood (EOS included) given the input, in {@link #labels()} order: what
     * {@link #predict} takes the argmax of for classification and rating.
     *
     * @throws IllegalStateException for a generation task (no label set)
     */
    public double[] labelLogLikelihoods(Composition c, float[] embedding, String input) {
        if (labels.isEmpty()) throw new IllegalStateException("Cannot score labels: a generation task has no label set");
        return Generator.labelLogLikelihoods(c, embedding, encoder.encodePrompt(input), labelTokens);
    }

    public String predict(Composition c, float[] embedding, String input) {
        int[] prompt = encoder.encodePrompt(input);
        if (!labels.isEmpty()) return labels.get(Generator.choose(c, embedding, prompt, labelTokens));
        int[] out = Generator.greedy(c, embedding, prompt, maxNewTokens, encoder.tokenizer().eos());
        return encoder.tokenizer().decode(out).trim();
    }
}
