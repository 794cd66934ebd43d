package org.proper.model.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.kernel.ModelSession;
import org.proper.model.lm.Attention;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.BlockBuilder;
import org.proper.model.lm.GraphBuilder;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.UserAdapter;

/**
 * One SameDiff graph of the decoder-only transformer at a fixed sequence length T, with whatever adapters a
 * {@link GraphSpec} asks for (shared LoRA, group experts + router, stacked per-user LoRAs + LoRA-aware router).
 * Base weights are constants unless the spec trains the base (pretraining). Inputs are right-padded [B, T] batches.
 * <p>
 * The top layer can run on a window of A &lt; T consecutive positions per row, the window that holds the row's head
 * rows ({@link Batch#windowStarts}): its keys and values cover every position, its queries, output projection, FFN
 * and adapters only the window's. Nothing else of the top layer reaches the head, so the head's inputs, the loss and
 * every gradient are those of the whole graph, for about (T − A)/T less of the top layer's work. The group stage with
 * a learned router keeps every position, since its balance loss averages the router over every token.
 * <p>
 * Built from the language model's family blocks ({@link BlockBuilder}), the adapters and routers wired into their
 * target layers ({@link AdapterWiring}) and the head and loss ({@link LossHead}); batches go in through
 * {@link BatchFeed}, parameter values in and out through {@link AdapterValues}.
 */
public final class ModelGraph {
    public static final String LOSS = "loss", CE = "ceLoss", DIV = "divLoss", BAL = "balLoss", TOKEN_LOSS = "tokenLoss", LOGITS = "logits";
    /** The final hidden states [N,d] ([B·A,d] with a top-layer window): after the final norm, before the LM head (see {@link org.proper.model.infer.HiddenStates}). */
    public static final String HIDDEN = "hidden";
    /** -Dproper.topLayerWindow=false runs the top layer at every position whatever window is asked for (read when a graph is built). */
    public static final String TOP_LAYER_WINDOW = "proper.topLayerWindow";
    private static final int MIN_WINDOW = 8;

    static {
        ModelSession.install();
    }

    private final SameDiff sd = SameDiff.create();
    private final ModelConfig cfg;
    private GraphSpec spec;
    private final DataType dt;
    private final int seqLen;
    /** Positions per row that the top layer covers: seqLen, or the window of the class comment. */
    private final int window;
    /** Layer 0's adapter-independent outputs are placeholders ({@link FrozenPrefix}) instead of computed. */
    private final boolean frozenPrefix;
    private final GraphBuilder gb;
    private final BatchFeed feed;
    private final AdapterValues values;

    /** A graph whose every layer covers every position. */
    public ModelGraph(BaseModel base, GraphSpec spec, DataType dt, int seqLen) {
        this(base, spec, dt, seqLen, seqLen, false);
    }

    /** A graph whose top layer covers {@code window} positions per row, where the spec allows it (class comment). */
    public ModelGraph(BaseModel base, GraphSpec spec, DataType dt, int seqLen, int window) {
        this(base, spec, dt, seqLen, window, false);
    }

    /**
     * A graph whose top layer covers {@code window} positions per row, where the spec allows it (class comment); with
     * {@code frozenPrefix}, layer 0's adapter-independent outputs are fed ({@link FrozenPrefix#applies} must hold).
     */
    public ModelGraph(BaseModel base, GraphSpec spec, DataType dt, int seqLen, int window, boolean frozenPrefix) {
        if (frozenPrefix && !FrozenPrefix.applies(base.config(), spec))
            throw new IllegalArgumentException("Cannot build graph: a frozen prefix needs >= 2 layers, trained users only and no adapter on layer 0's attention");
        this.frozenPrefix = frozenPrefix;
        this.cfg = base.config();
        this.spec = spec;
        this.dt = dt;
        this.seqLen = seqLen;
        if (seqLen > cfg.maxSeqLen()) throw new IllegalArgumentException("Cannot build graph: seqLen " + seqLen + " > maxSeqLen " + cfg.maxSeqLen());
        if (window < 1 || window > seqLen) throw new IllegalArgumentException("Cannot build graph: window " + window + " outside [1, seqLen " + seqLen + "]");
        boolean balanced = spec.experts() != null && spec.trainExperts() && !spec.hardRouting();
        // at least 8 positions: ND4J's matmul fails to size the products of a one-position window ([B,1,T]·[B,T,d])
        this.window = balanced || !Boolean.parseBoolean(System.getProperty(TOP_LAYER_WINDOW, "true")) ? seqLen
                : Math.max(window, Math.min(MIN_WINDOW, seqLen));
        this.gb = new GraphBuilder(sd, base, dt, seqLen, this.window, spec.trainBase(), frozenPrefix);
        this.feed = build();
        this.values = new AdapterValues(sd, dt);
    }

    /** Builds the graph (and its rewritten gradient function when anything trains); returns its feed. */
    private BatchFeed build() {
        int t = seqLen;
        SDVariable tokens = sd.placeHolder("tokens", DataType.INT, -1, t);
        SDVariable headSelect = gb.javaRows() ? sd.placeHolder("headRows", DataType.INT, -1)              // [M] the head rows
                : sd.placeHolder("headPartition", DataType.INT, -1);                                       // [N] 1 at the M head rows, else 0
        SDVariable targets = sd.placeHolder("targets", DataType.INT, -1);                                  // [M]
        SDVariable weights = sd.placeHolder("weights", dt, -1);                                            // [M]
        SDVariable keyMask = sd.placeHolder("keyMask", dt, -1, t);
        Attention attention = new Attention(gb, keyMask);
        AdapterWiring adapters = new AdapterWiring(gb, spec, keyMask);
        adapters.buildParams();

        BlockBuilder blocks = BlockBuilder.of(gb, attention, adapters);
        SDVariable h = blocks.embed(tokens);                                                               // [N,d]
        for (int l = 0; l < cfg.nLayers(); l++) {
            boolean windowed = l == cfg.nLayers() - 1 && window < t;
            h = blocks.block(h, l, windowed);                                                              // [N,d] / top [B·A,d]
        }
        SDVariable hf = blocks.finalNorm(h).rename(HIDDEN);                                                // [N,d] or [B·A,d]
        SDVariable head = blocks.headWeight();                                                             // [V,d]
        LossHead.build(gb, spec, hf, head, headSelect, targets, weights, adapters.diversityTerms(), adapters.balanceTerms());
        if (!gb.trainable().isEmpty()) gb.rewrites().createAndRewrite(sd);
        return new BatchFeed(gb, attention, blocks, adapters);
    }

    /** The graph (its gradient function, once created, is {@code sd().getFunction("grad")}). */
    public SameDiff sd() {
        return sd;
    }

    /** Trainable variable names, in a fixed order. */
    public List<String> trainable() {
        return gb.trainable();
    }

    /** Trainable variables whose axis 0 is the user (per-user clipping). */
    public Set<String> stacked() {
        return gb.stacked();
    }

    /** Positions per row that the top layer covers: seqLen, or the window of the class comment. */
    public int window() {
        return window;
    }

    /** Whether layer 0's adapter-independent outputs are fed ({@link FrozenPrefix}) instead of computed. */
    public boolean frozenPrefix() {
        return frozenPrefix;
    }

    // ---------------------------------------------------------------------------------------------- feeding / reading

    /** The batch as placeholders, at the start of every call on the graph (the previous call's arrays are recycled). */
    public Map<String, INDArray> feed(Batch b) {
        return feed.feed(b, spec);
    }

    /** Frees this thread's reusable arrays of the graph (the graph stays usable; its next call allocates afresh). */
    public void releaseArrays() {
        feed.releaseArrays();
    }

    /** Reloads every adapter value (trainable or not) from a spec of the same structure (see {@link GraphCache}). */
    void load(GraphSpec s) {
        this.spec = s;
        values.load(s);
    }

    public INDArray arr(String name) {
        return values.arr(name);
    }

    void set(String name, INDArray value) {
        values.set(name, value);
    }

    public Map<String, INDArray> snapshot() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String n : gb.trainable()) m.put(n, arr(n).dup());
        return m;
    }

    public void restore(Map<String, INDArray> snap) {
        snap.forEach(this::set);
    }

    public LoraAdapter readShared() {
        return values.readShared(spec);
    }

    public GroupExperts readExperts() {
        return values.readExperts(spec);
    }

    public UserAdapter readUser(int u, UserAdapter template) {
        return values.readUser(spec, u, template);
    }

    /** Writes a user's adapter into stacked slot u (reusing one graph for many users). */
    public void writeUser(int u, UserAdapter ua) {
        values.writeUser(spec, u, ua);
    }

    public BaseModel readBase(BaseModel template) {
        return values.readBase(template);
    }
}
