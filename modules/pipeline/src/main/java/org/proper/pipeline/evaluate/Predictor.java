package org.proper.pipeline.evaluate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.proper.eval.metrics.TaskKind;
import org.proper.eval.metrics.TaskSpec;
import org.proper.model.Composition;
import org.proper.model.Generator;
import org.proper.model.Tokenizer;
import org.proper.pipeline.train.ExampleEncoder;

/**
 * Answers a query with a composed model: constrained decoding to the label set for classification and rating
 * (the label with the highest log-likelihood, EOS included so "C" and "C++" differ), greedy decoding otherwise.
 */
public final class Predictor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TaskSpec task;
    private final ExampleEncoder encoder;
    private final int maxNewTokens;
    private final List<String> labels;
    private final List<int[]> labelTokens;

    public Predictor(TaskSpec task, ExampleEncoder encoder, int maxNewTokens) {
        this.task = task;
        this.encoder = encoder;
        this.labels = labelsOf(task);
        Tokenizer tok = encoder.tokenizer();
        this.labelTokens = new ArrayList<>();
        for (String l : labels) {
            int[] ids = tok.encode(l);
            int[] withEos = Arrays.copyOf(ids, ids.length + 1);
            withEos[ids.length] = tok.eos();
            labelTokens.add(withEos);
        }
        int longest = labelTokens.stream().mapToInt(a -> a.length).max().orElse(1);
        this.maxNewTokens = task.kind() == TaskKind.GENERATION ? maxNewTokens : longest;
    }

    private static List<String> labelsOf(TaskSpec task) {
        if (task.kind() == TaskKind.CLASSIFICATION) return task.labels();
        if (task.kind() == TaskKind.RATING) {
            List<String> out = new ArrayList<>();
            for (int r = (int) Math.round(task.minRating()); r <= (int) Math.round(task.maxRating()); r++) out.add(Integer.toString(r));
            return out;
        }
        return List.of();
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
        if (labels.isEmpty()) throw new IllegalStateException("Cannot score labels: task " + task.name() + " is a generation task");
        return Generator.labelLogLikelihoods(c, embedding, encoder.encodePrompt(input, maxNewTokens), labelTokens);
    }

    public String predict(Composition c, float[] embedding, String input) {
        int[] prompt = encoder.encodePrompt(input, maxNewTokens);
        if (!labels.isEmpty()) return labels.get(Generator.choose(c, embedding, prompt, labelTokens));
        int[] out = Generator.greedy(c, embedding, prompt, maxNewTokens, encoder.tokenizer().eos());
        return encoder.tokenizer().decode(out).trim();
    }
}
