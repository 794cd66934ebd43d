package org.proper.pipeline.evaluate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    private final ExampleEncoder encoder;
    private final List<String> labels;
    private final List<int[]> labelTokens;

    /** @param encoder the run's encoder for this task (its answer budget bounds generated answers) */
    public Predictor(TaskSpec task, ExampleEncoder encoder) {
        this.encoder = encoder;
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

    public String predict(Composition c, float[] embedding, String input) {
        int[] prompt = encoder.encodePrompt(input);
        if (!labels.isEmpty()) return labels.get(Generator.choose(c, embedding, prompt, labelTokens));
        int[] out = Generator.greedy(c, embedding, prompt, encoder.answerBudget() - 1, encoder.tokenizer().eos());
        return encoder.tokenizer().decode(out).trim();
    }
}
