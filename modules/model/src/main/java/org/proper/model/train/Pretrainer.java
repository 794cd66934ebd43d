package org.proper.model.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.proper.model.graph.Batch;
import org.proper.model.graph.Batches;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tokenizer;

/**
 * Pretrains a small base model from scratch on raw texts (next-token LM on every token), for runs that are given no
 * pretrained checkpoint. Texts are cut into windows of maxSeqLen − 1 tokens after BOS (or EOS when the tokenizer has
 * no BOS).
 */
public final class Pretrainer {
    private Pretrainer() {
    }

    public static TrainResult<BaseModel> pretrain(ModelConfig config, Tokenizer tokenizer, List<String> texts, TrainOptions options) {
        return pretrain(BaseModel.init(config, options.seed()), tokenizer, texts, options);
    }

    /** Continues pretraining the given model (all weights trainable) for options.steps() steps. */
    public static TrainResult<BaseModel> pretrain(BaseModel start, Tokenizer tokenizer, List<String> texts, TrainOptions options) {
        tokenizer.requireFits(start.config(), "pretrain");
        List<Example> ex = windows(tokenizer, texts, start.config().maxSeqLen());
        if (ex.isEmpty()) throw new IllegalArgumentException("Cannot pretrain: no non-empty texts");
        int t = Batch.seqLenFor(ex, start.config().maxSeqLen());
        GraphSpec spec = new GraphSpec(true, null, false, null, false, false, 0, 0, null, false, false);
        ModelGraph g = new ModelGraph(start, spec, options.dataType(), t);
        EpochSampler sampler = new EpochSampler(ex.size(), options.seed());
        TrainLoop.Outcome out = TrainLoop.run(g,
                step -> Batches.of(EpochSampler.pick(ex, sampler.next(options.batchSize())), t, null, null), List.of(), options, null);
        return new TrainResult<>(g.readBase(start), out.loss(), out.devLoss(), out.steps());
    }

    static List<Example> windows(Tokenizer tok, List<String> texts, int maxSeqLen) {
        int start = tok.bos() >= 0 ? tok.bos() : tok.eos();
        int w = maxSeqLen - 1;
        List<Example> out = new ArrayList<>();
        for (String s : texts) {
            int[] ids = tok.encode(s);
            for (int i = 0; i < ids.length; i += w) {
                int[] chunk = Arrays.copyOfRange(ids, i, Math.min(ids.length, i + w));
                if (chunk.length > 0) out.add(new Example("", new int[]{start}, chunk));
            }
        }
        return out;
    }
}
