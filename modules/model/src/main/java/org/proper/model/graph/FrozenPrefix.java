package org.proper.model.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.proper.model.kernel.ThreadArrays;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.LayerZeroOutputs;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;

/**
 * Layer 0's adapter-independent outputs, computed once per example and training call instead of at every step.
 * <p>
 * In the user stage only the users' LoRAs train, and with FFN targets nothing of layer 0 before its FFN depends on
 * them: the embeddings, the attention and its residual, the FFN's norm and the frozen base part of its input
 * projections (GPT-2 {@code c_fc}: x·W + b; Llama {@code gate_proj}, {@code up_proj}) are the same for an example at
 * every step. A graph built with a frozen prefix takes them as placeholders ([N,d], [N,d], [N,f] and for Llama a
 * second [N,f]: {@link LayerZeroOutputs}); an inference graph of the same base computes them for every train and dev example when the call
 * starts, and each batch gathers its rows with one {@code pullRows} per name. The results are those of the full
 * graph, the same operations on the same inputs computed once (tested: adapters within 1e-5). The graph no longer runs
 * about a fifth of the default model's user-step op time (docs/BENCHMARKS.md: 1.05–1.20× on batched users end to end),
 * for 4·(2d + f) bytes per cached position (4·(2d + 2f) for Llama).
 * <p>
 * Worth it only when examples come back: {@link #worthIt} asks for at least two uses per cached example on average
 * and at most {@code proper.frozenPrefixMb} (default 256) MiB of cache for the call. {@code -Dproper.frozenPrefix=false}
 * turns it off (read when a call starts, so a benchmark can compare both in one JVM).
 */
public final class FrozenPrefix {
    public static final String SWITCH = "proper.frozenPrefix";

    /** Examples per inference pass when filling the cache. */
    private static final int CHUNK = 64;

    private final int seqLen;
    private final List<String> names;
    /**
     * Per name [(E + 1)·T, cols]: example e's positions at rows e·T …, the last T rows zeros (for padding rows). It and
     * the batch arrays are this thread's {@link ThreadArrays}, reused by its next call.
     */
    private final INDArray[] cache;
    private final Map<Example, Integer> index = new IdentityHashMap<>();
    /** Per batch size, the arrays a batch's prefix is gathered into (a batch is fed before the next is built). */
    private final Map<Integer, INDArray[]> gathered = new HashMap<>();

    /**
     * Computes the prefix of these examples (a call's train and dev examples, user by user) with an inference graph of
     * {@code base} at seqLen t; an example given more than once (the same object) is computed and cached once.
     */
    public FrozenPrefix(BaseModel base, DataType dt, int t, List<Example> examples) {
        ModelConfig c = base.config();
        this.seqLen = t;
        this.names = names(c);
        List<Example> all = new ArrayList<>();
        for (Example e : examples) if (index.putIfAbsent(e, all.size()) == null) all.add(e);
        cache = new INDArray[names.size()];
        for (int k = 0; k < cache.length; k++) {
            cache[k] = ThreadArrays.get("prefix.cache." + names.get(k), dt, (long) (all.size() + 1) * t, cols(c, names.get(k)));
            cache[k].get(NDArrayIndex.interval((long) all.size() * t, (long) (all.size() + 1) * t), NDArrayIndex.all()).assign(0);
        }
        ModelGraph source = GraphCache.get(base, GraphSpec.inference(null, null, false, null, false), dt, t);
        String[] outputs = names.toArray(new String[0]);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<Example> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            Map<String, INDArray> outs = source.sd().output(source.feed(Batch.of(chunk, t, Batches.PAD, null, null, null, null)), outputs);
            for (int k = 0; k < cache.length; k++)
                cache[k].get(NDArrayIndex.interval((long) from * t, (long) (from + chunk.size()) * t), NDArrayIndex.all())
                        .assign(outs.get(names.get(k)));
        }
    }

    private static int cols(ModelConfig c, String name) {
        return LayerZeroOutputs.cols(c, name);
    }

    static List<String> names(ModelConfig c) {
        return LayerZeroOutputs.names(c);
    }

    /** Floats per position of the prefix. */
    static int width(ModelConfig c) {
        return names(c).stream().mapToInt(n -> cols(c, n)).sum();
    }

    /** A graph of this spec can take the prefix: ≥ 2 layers (layer 0 is not the windowed top), only users train, FFN targets. */
    public static boolean applies(ModelConfig c, GraphSpec s) {
        if (c.nLayers() < 2 || s.trainBase() || s.trainShared() || s.trainExperts() || s.users() == null || !s.trainUsers()) return false;
        List<TargetModule> mods = new ArrayList<>(s.users().get(0).lora().modules());
        if (s.shared() != null) mods.addAll(s.shared().modules());
        if (s.experts() != null) mods.addAll(s.experts().modules());
        return mods.stream().allMatch(m -> m.kind() == LoraTarget.FFN);
    }

    /**
     * Whether caching pays for a call that draws {@code rowUses} example rows in all from {@code examples} examples
     * (train and dev) of seqLen t: two uses per example on average, and the cache within its budget.
     */
    public static boolean worthIt(ModelConfig c, long rowUses, long examples, int t) {
        if (!Boolean.parseBoolean(System.getProperty(SWITCH, "true")) || examples == 0) return false;
        long budget = Long.getLong("proper.frozenPrefixMb", 256) << 20;
        return rowUses >= 2 * examples && examples * t * width(c) * 4L <= budget;
    }

    /** The prefix of a batch's rows, one array [rows·T, cols] per name (null rows, the padding, get zeros). */
    public Map<String, INDArray> rows(List<Example> rows) {
        int t = seqLen, zeros = cache[0].rows() / t - 1;
        int[] positions = new int[rows.size() * t];
        for (int r = 0; r < rows.size(); r++) {
            Example e = rows.get(r);
            Integer at = e == null ? Integer.valueOf(zeros) : index.get(e);
            if (at == null) throw new IllegalStateException("Cannot feed the frozen prefix: an example of user " + e.userId() + " was not cached");
            for (int i = 0; i < t; i++) positions[r * t + i] = at * t + i;
        }
        INDArray[] into = gathered.computeIfAbsent(rows.size(), n -> {
            INDArray[] a = new INDArray[cache.length];
            for (int k = 0; k < a.length; k++)
                a[k] = ThreadArrays.get("prefix.batch." + names.get(k) + "." + n, cache[k].dataType(), (long) n * t, cache[k].columns());
            return a;
        });
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int k = 0; k < cache.length; k++) out.put(names.get(k), Nd4j.pullRows(cache[k], into[k], 1, positions));
        return out;
    }
}
