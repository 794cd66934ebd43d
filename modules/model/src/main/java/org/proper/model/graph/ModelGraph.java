package org.proper.model.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.proper.model.gradient.ClosedFormGradients;
import org.proper.model.gradient.FrozenWeightGradients;
import org.proper.model.gradient.SharedInputGradients;
import org.proper.model.gradient.SumGradients;
import org.proper.model.kernel.ActivationOps;
import org.proper.model.kernel.Activations;
import org.proper.model.kernel.BatchedMatmul;
import org.proper.model.kernel.JavaKernels;
import org.proper.model.kernel.ModelSession;
import org.proper.model.kernel.RowGather;
import org.proper.model.kernel.Softmax;
import org.proper.model.kernel.StepArrays;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Family;
import org.proper.model.lm.LogSoftmax;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.lm.Tensors;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraMath;
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
 */
public final class ModelGraph {
    public static final String LOSS = "loss", CE = "ceLoss", DIV = "divLoss", BAL = "balLoss", TOKEN_LOSS = "tokenLoss", LOGITS = "logits";
    /** The final hidden states [N,d] ([B·A,d] with a top-layer window): after the final norm, before the LM head (see {@link org.proper.model.infer.HiddenStates}). */
    public static final String HIDDEN = "hidden";
    private static final double NEG = -1e9;

    private final SameDiff sd = SameDiff.create();
    final ModelConfig cfg;
    GraphSpec spec;
    final DataType dt;
    final int seqLen;
    /** Positions per row that the top layer covers: seqLen, or the window of the class comment. */
    private final int window;
    /** Layer 0's adapter-independent outputs are placeholders ({@link FrozenPrefix}) instead of computed. */
    private final boolean frozenPrefix;
    /** Trainable variable names, in a fixed order. */
    private final List<String> trainable = new ArrayList<>();
    /** Trainable variables whose axis 0 is the user (per-user clipping). */
    private final Set<String> stacked = new LinkedHashSet<>();

    private SDVariable tokens, targets, weights, headSelect, keyMask, userEmb, hardGate;
    private SDVariable windowSelect, windowBias, windowCos, windowSin;
    /** Rows are selected by {@link RowGather} (placeholders headRows, windowRows) where {@link JavaKernels#available}. */
    private final boolean javaRows = JavaKernels.available();
    private SDVariable attnBias, ropeCos, ropeSin, dist;
    /** RoPE's cos and sin per position [T·hd] (Llama), for the window's queries ({@link #feedWindows}). */
    private float[] ropeCosTable, ropeSinTable;
    private final List<SDVariable> balanceTerms = new ArrayList<>();
    private final List<SDVariable> diversityTerms = new ArrayList<>();
    /** Operands of x + v / x · v with v a vector along x's last axis ({@link #plusVector}, {@link #timesVector}). */
    private final Set<FrozenWeightGradients.VectorOperand> vectorOperands = new HashSet<>();
    /** Sums of two equal shapes ({@link #plus}). */
    private final Set<SumGradients.Sum> sums = new HashSet<>();
    /** Sub-expressions whose gradient is computed in closed form ({@link ClosedFormGradients}). */
    private final List<ClosedFormGradients.Rule> closedForms = new ArrayList<>();
    private final Map<String, TargetModule> sharedMods = new HashMap<>(), expertMods = new HashMap<>(), userMods = new HashMap<>();

    static {
        ModelSession.install();
    }

    /** -Dproper.reuseArrays=false falls back to SameDiff's own session memory manager. */
    static final boolean REUSE_ARRAYS = Boolean.parseBoolean(System.getProperty("proper.reuseArrays", "true"));
    /** -Dproper.topLayerWindow=false runs the top layer at every position whatever window is asked for (read likewise). */
    static final String TOP_LAYER_WINDOW = "proper.topLayerWindow";

    private static final int MIN_WINDOW = 8;

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
        if (spec.shared() != null) for (TargetModule m : spec.shared().modules()) sharedMods.put(m.name(), m);
        if (spec.experts() != null) for (TargetModule m : spec.experts().modules()) expertMods.put(m.name(), m);
        if (spec.users() != null) for (TargetModule m : spec.users().get(0).lora().modules()) userMods.put(m.name(), m);
        build(base);
    }

    /** The graph (its gradient function, once created, is {@code sd().getFunction("grad")}). */
    public SameDiff sd() {
        return sd;
    }

    /** Trainable variable names, in a fixed order. */
    public List<String> trainable() {
        return Collections.unmodifiableList(trainable);
    }

    /** Trainable variables whose axis 0 is the user (per-user clipping). */
    public Set<String> stacked() {
        return Collections.unmodifiableSet(stacked);
    }

    /** Positions per row that the top layer covers: seqLen, or the window of the class comment. */
    public int window() {
        return window;
    }

    /** Whether layer 0's adapter-independent outputs are fed ({@link FrozenPrefix}) instead of computed. */
    public boolean frozenPrefix() {
        return frozenPrefix;
    }

    // ---------------------------------------------------------------------------------------------- building

    private SDVariable param(String name, INDArray value, boolean train, boolean perUser) {
        if (train) {
            trainable.add(name);
            if (perUser) stacked.add(name);
            return sd.var(name, value);
        }
        return sd.constant(name, value);
    }

    private SDVariable w(BaseModel base, String name) {
        return param(name, base.weight(name).toNd(dt), spec.trainBase(), false);
    }

    /**
     * Columns [from, to) of a base weight in x·W layout [din,dout], or elements [from, to) of a bias [dout]: sliced in
     * the graph when the base trains, else a constant of its own (so that its products' gradients skip it, as for any
     * frozen weight: {@link FrozenWeightGradients}).
     */
    private SDVariable columns(BaseModel base, String name, long from, long to) {
        boolean matrix = base.weight(name).rank() == 2;
        if (spec.trainBase()) {
            SDVariable v = sd.hasVariable(name) ? sd.getVariable(name) : w(base, name);
            SDIndex cols = SDIndex.interval(from, to);
            return matrix ? v.get(SDIndex.all(), cols) : v.get(cols);
        }
        INDArray full = base.weight(name).toNd(dt);
        INDArray part = matrix ? full.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)) : full.get(NDArrayIndex.interval(from, to));
        return sd.constant(name + "[" + from + ":" + to + "]", part.dup());
    }

    private void build(BaseModel base) {
        int t = seqLen, d = cfg.dModel();
        tokens = sd.placeHolder("tokens", DataType.INT, -1, t);
        headSelect = javaRows ? sd.placeHolder("headRows", DataType.INT, -1)                               // [M] the head rows
                : sd.placeHolder("headPartition", DataType.INT, -1);                                       // [N] 1 at the M head rows, else 0
        targets = sd.placeHolder("targets", DataType.INT, -1);                                             // [M]
        weights = sd.placeHolder("weights", dt, -1);                                                       // [M]
        keyMask = sd.placeHolder("keyMask", dt, -1, t);
        float[] c = new float[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) c[i * t + j] = (float) NEG;
        SDVariable causal = sd.constant("causalMask", Nd4j.create(c, new long[]{t, t}, 'c').castTo(dt));   // [T,T]
        // causal + key padding, once per forward pass (each layer then adds one bias to its scores)
        attnBias = keyMask.sub(1.0).mul(-NEG).reshape(-1, 1, 1, t).add(causal);                            // [B,1,T,T]
        if (window < t) {
            windowSelect = javaRows ? sd.placeHolder("windowRows", DataType.INT, -1)                       // [B·A] rows of [N]
                    : sd.placeHolder("windowSelect", dt, -1, window, t);                                   // [B,A,T] one-hot
            windowBias = sd.placeHolder("windowBias", dt, -1, window, t).reshape(-1, 1, window, t);          // [B,1,A,T]
        }
        buildAdapterParams();

        boolean gpt2 = cfg.family() == Family.GPT2;
        SDVariable emb = w(base, gpt2 ? "wte.weight" : "model.embed_tokens.weight");                      // [V,d]
        SDVariable h = frozenPrefix ? null : spec.trainBase()
                ? sd.mmul(sd.oneHot(tokens.reshape(-1), cfg.vocabSize(), -1, 1.0, 0.0, dt), emb)              // [N,V]·[V,d]
                : sd.gather(emb, tokens.reshape(-1), 0);                                                   // [N,d]
        if (frozenPrefix) {
            if (!gpt2) initRope();
        } else if (gpt2) {
            INDArray wpe = base.weight("wpe.weight").toNd(dt);
            SDVariable pos = spec.trainBase()
                    ? w(base, "wpe.weight").get(SDIndex.interval(0, t))
                    : sd.constant("wpe.slice", wpe.get(NDArrayIndex.interval(0, t)).dup()); // [T,d]
            h = h.reshape(-1, t, d).add(pos).reshape(-1, d);                                               // [N,d]
        } else {
            initRope();
        }
        for (int l = 0; l < cfg.nLayers(); l++) {
            boolean windowed = l == cfg.nLayers() - 1 && window < t;
            h = gpt2 ? gpt2Block(base, h, l, windowed) : llamaBlock(base, h, l, windowed);                 // [N,d] / top [B·A,d]
        }
        SDVariable hf = gpt2 ? layerNorm(h, w(base, "ln_f.weight"), w(base, "ln_f.bias"))
                : rmsNorm(h, w(base, "model.norm.weight"));                                                // [N,d] or [B·A,d]
        hf = hf.rename(HIDDEN);
        SDVariable head = cfg.tieEmbeddings() ? emb : w(base, "lm_head.weight");                           // [V,d]
        // the head only where logits are used (Batch.headRows: the loss positions in training): no other position's
        // logits reach the loss, and [N,V] would dominate the step (and its memory) for a real vocabulary
        // (RowGather, or a two-way dynamic_partition, whose backward is one op; ND4J's gather's would be a chain that
        // fails on these shapes)
        SDVariable hm = javaRows ? RowGather.rows(sd, hf, headSelect)                                      // [M,d] in row order
                : sd.dynamicPartition(hf, headSelect, 2)[1];
        SDVariable logits = sd.mmul(LOGITS, hm, head, false, true, false);                                 // [M,V]
        // CE = logsumexp(logits) − logit[target]; written out because sparseSoftmaxCrossEntropy's backprop ignores
        // the incoming gradient (it would train padded and prompt positions too)
        SDVariable oneHot = sd.oneHot(targets, cfg.vocabSize(), -1, 1.0, 0.0, dt);                        // [M,V]
        SDVariable ce = LogSoftmax.logSumExp(sd, logits, 1, closedForms).sub(logits.mul(oneHot).sum(1));     // [M]
        SDVariable tokenLoss = ce.rename(TOKEN_LOSS);                                                      // [M]
        SDVariable ceLoss = tokenLoss.mul(weights).sum().rename(CE);                                       // scalar
        SDVariable loss = ceLoss.mul(1.0);
        if (!diversityTerms.isEmpty()) {
            SDVariable div = sum(diversityTerms).div(diversityTerms.size()).rename(DIV);
            if (spec.lambdaDiv() > 0) loss = loss.add(div.mul(spec.lambdaDiv()));
        }
        if (!balanceTerms.isEmpty()) {
            SDVariable bal = sum(balanceTerms).div(balanceTerms.size()).rename(BAL);
            if (spec.lambdaBal() > 0) loss = loss.add(bal.mul(spec.lambdaBal()));
        }
        loss = loss.rename(LOSS);
        sd.setLossVariables(LOSS);
        if (trainable.isEmpty()) return;
        sd.createGradFunction();
        if (Boolean.parseBoolean(System.getProperty(FrozenWeightGradients.SWITCH, "true"))) FrozenWeightGradients.prune(sd, vectorOperands);
        if (Boolean.parseBoolean(System.getProperty(ClosedFormGradients.SWITCH, "true"))) ClosedFormGradients.apply(sd, closedForms);
        if (Boolean.parseBoolean(System.getProperty(SumGradients.SWITCH, "true"))) SumGradients.apply(sd, sums);
        if (Boolean.parseBoolean(System.getProperty(SharedInputGradients.SWITCH, "true"))) SharedInputGradients.apply(sd);
    }

    private static SDVariable sum(List<SDVariable> xs) {
        SDVariable s = xs.get(0);
        for (int i = 1; i < xs.size(); i++) s = s.add(xs.get(i));
        return s;
    }

    private void buildAdapterParams() {
        LoraAdapter sh = spec.shared();
        if (sh != null) for (TargetModule m : sh.modules()) {
            param("lora." + m.name() + ".A", sh.a(m.name()).toNd(dt), spec.trainShared(), false);           // [r,din]
            param("lora." + m.name() + ".B", sh.b(m.name()).toNd(dt), spec.trainShared(), false);           // [dout,r]
        }
        GroupExperts g = spec.experts();
        if (g != null) {
            int k = g.k();
            boolean routerTrain = spec.trainExperts() && !spec.hardRouting();
            for (TargetModule m : g.modules()) {
                param("experts." + m.name() + ".A", expertFactor(g, m.name(), true), spec.trainExperts(), false);
                param("experts." + m.name() + ".B", expertFactor(g, m.name(), false), spec.trainExperts(), false);
                if (!spec.hardRouting())
                    param("router." + m.name() + ".v", g.routerV().get(m.name()).toNd(dt), routerTrain, false);      // [K,din]
            }
            if (spec.hardRouting()) {
                hardGate = sd.placeHolder("hardGate", dt, -1, k);                                                // [B,K]
            } else {
                userEmb = sd.placeHolder("userEmb", dt, -1, g.embeddingDim());                                  // [B,E]
                SDVariable cen = param("router.centroids", g.centroids().toNd(dt), routerTrain, false);        // [K,E]
                dist = LoraMath.centroidSqDist(userEmb, cen, k, g.embeddingDim());                              // [B,K]
            }
        }
        List<UserAdapter> us = spec.users();
        if (us != null) {
            for (TargetModule m : us.get(0).lora().modules()) {
                param("users." + m.name() + ".A", stackUsers(us, m.name(), 'A'), spec.trainUsers(), true);     // [U,r,din]
                param("users." + m.name() + ".B", stackUsers(us, m.name(), 'B'), spec.trainUsers(), true);     // [U,dout,r]
                if (usesLoraAwareRouter())
                    param("users." + m.name() + ".R", stackUsers(us, m.name(), 'R'), spec.trainUsers(), true); // [U,K,r]
            }
        }
    }

    boolean usesLoraAwareRouter() {
        return spec.users() != null && spec.experts() != null && !spec.fixedBeta();
    }

    /**
     * The experts' A (a) or B factors of a module as the graph holds them: stacked [K,r,din] / [K,dout,r] when they are
     * trained; when frozen, constants already in mixtureDelta's layout [K·r,din] / [dout,K·r] (LoraMath.catA/catB), so
     * that the frozen-weight rewrite sees constant matmul operands and skips their gradients.
     */
    private INDArray expertFactor(GroupExperts g, String module, boolean a) {
        INDArray st = stack(g.experts(), module, a);
        return spec.trainExperts() ? st : a ? LoraMath.catA(st) : LoraMath.catB(st);
    }

    private INDArray stack(List<LoraAdapter> ads, String module, boolean a) {
        INDArray[] parts = new INDArray[ads.size()];
        for (int i = 0; i < parts.length; i++) {
            Tensor t = a ? ads.get(i).a(module) : ads.get(i).b(module);
            parts[i] = t.toNd(dt).reshape(1, t.dim(0), t.dim(1));
        }
        return Nd4j.concat(0, parts);
    }

    private INDArray stackUsers(List<UserAdapter> us, String module, char which) {
        INDArray[] parts = new INDArray[us.size()];
        for (int i = 0; i < parts.length; i++) {
            UserAdapter u = us.get(i);
            Tensor t = which == 'A' ? u.lora().a(module) : which == 'B' ? u.lora().b(module) : u.routerR().get(module);
            if (t == null) throw new IllegalArgumentException("Cannot build user graph: user " + u.userId() + " has no router R for " + module);
            parts[i] = t.toNd(dt).reshape(1, t.dim(0), t.dim(1));
        }
        return Nd4j.concat(0, parts);
    }

    /** A layer without adapters: y = xW (+b). */
    private SDVariable linear(SDVariable x, SDVariable wt, SDVariable bias, boolean inOut) {
        SDVariable y = inOut ? sd.mmul(x, wt) : sd.mmul(x, wt, false, true, false);                      // [N,dout]
        return bias == null ? y : plusVector(y, bias);
    }

    /** Frozen y = xW (+b) of a target module on rows of t positions per example, plus every adapter's contribution. */
    private SDVariable linear(SDVariable x, SDVariable wt, SDVariable bias, boolean inOut, String module, int t) {
        return adapt(module, x, linear(x, wt, bias, inOut), t);
    }

    /**
     * y + ΔW_shared x + Σ_k gate_k ΔW_k x + ΔW_u x for the adapters that target this module (DESIGN §2); x and y hold
     * t consecutive positions of each example (T, or the top layer's window).
     */
    private SDVariable adapt(String module, SDVariable x, SDVariable y, int t) {
        TargetModule sm = sharedMods.get(module);
        if (sm != null)
            y = plus(y, LoraMath.loraDelta(sd, x, sd.getVariable("lora." + module + ".A"), sd.getVariable("lora." + module + ".B"),
                    spec.shared().scaling()));
        TargetModule um = userMods.get(module);
        SDVariable xa = null, userDelta = null;
        int nu = spec.users() == null ? 0 : spec.users().size();
        if (um != null) {
            // rows are grouped by user, the same number per user: segment u of the batch uses user u's factors
            SDVariable aU = sd.getVariable("users." + module + ".A");                                      // [U,r,din]
            SDVariable bU = sd.getVariable("users." + module + ".B");                                      // [U,dout,r]
            xa = LoraMath.userProjection(sd, x.reshape(nu, -1, um.dIn()), aU, BatchedMatmul::mmul);        // [U,S,r] S=rows/U·T
            userDelta = LoraMath.userDelta(sd, xa, bU, spec.users().get(0).lora().scaling(), BatchedMatmul::mmul)
                    .reshape(-1, um.dOut());                                                               // [N,dout]
        }
        TargetModule em = expertMods.get(module);
        if (em != null) {
            GroupExperts g = spec.experts();
            int k = g.k();
            SDVariable logits3, gate3;                                                                     // [B,T,K]
            if (spec.hardRouting()) {
                gate3 = hardGate.reshape(-1, 1, k).mul(sd.constant(Nd4j.ones(dt, 1, t, 1)));               // [B,T,K] one-hot
                logits3 = gate3.sub(1.0).mul(30.0);                                                        // log g ≈ 0 / −30
            } else {
                logits3 = LoraMath.routerLogits(sd, dist, x, sd.getVariable("router." + module + ".v"), t, k, g.tau());
                gate3 = sd.nn.softmax(logits3, 2);                                                         // g(u,x)
            }
            if (spec.trainExperts() && !spec.hardRouting())
                balanceTerms.add(LoraMath.balance(gate3.reshape(-1, k), keyMask.reshape(-1), k));
            if (spec.trainExperts())
                diversityTerms.add(LoraMath.diversity(sd, sd.getVariable("experts." + module + ".A"),
                        sd.getVariable("experts." + module + ".B"), k, g.spec().rank(), em.dIn(), em.dOut(), dt));
            SDVariable mix = gate3;
            if (xa != null && usesLoraAwareRouter()) {
                SDVariable rU = sd.getVariable("users." + module + ".R");                                  // [U,K,r]
                SDVariable logG = spec.hardRouting() ? logits3 : LogSoftmax.logSoftmax(sd, logits3, 2, closedForms); // [B,T,K]
                mix = LoraMath.loraAwareGate(sd, logG.reshape(nu, -1, k), xa, rU, BatchedMatmul::mmul);    // β(u,x) [U,S,K]
            }
            int r = g.spec().rank();
            SDVariable a = sd.getVariable("experts." + module + ".A"), b = sd.getVariable("experts." + module + ".B");
            if (spec.trainExperts()) {                                                                     // else already so
                a = LoraMath.catA(a, k, r, em.dIn());
                b = LoraMath.catB(b, k, r, em.dOut());
            }
            y = plus(y, LoraMath.mixtureDelta(sd, x, a, b, mix.reshape(-1, k), k, r, g.spec().scaling()));
        }
        if (userDelta != null) y = plus(y, userDelta);
        return y;
    }

    /** (x − mean)/σ · g + b over the last axis; the standardisation's gradient in closed form (see {@link #standardized}). */
    private SDVariable layerNorm(SDVariable x, SDVariable g, SDVariable b) {
        SDVariable c = x.sub(x.mean(true, 1));                                                             // [N,d]
        SDVariable sigma = sd.math.sqrt(c.mul(c).mean(true, 1).add(cfg.normEps()));                       // [N,1]
        return plusVector(timesVector(standardized(x, c, sigma, true), g), b);                             // [N,d]
    }

    private SDVariable rmsNorm(SDVariable x, SDVariable g) {
        SDVariable rms = sd.math.sqrt(x.mul(x).mean(true, 1).add(cfg.normEps()));                        // [N,1]
        return timesVector(standardized(x, x, rms, false), g);                                            // [N,d]
    }

    /**
     * n = c/σ, c = x − mean(x) (LayerNorm) or x (RMSNorm), σ = √(mean(c²) + ε), over the last axis. With e = dL/dn:
     * dL/dx = (e − mean(e) − n·mean(e·n))/σ, without the − mean(e) term for RMSNorm; declared as a closed form.
     */
    private SDVariable standardized(SDVariable x, SDVariable c, SDVariable sigma, boolean centred) {
        SDVariable n = c.div(sigma);                                                                       // [N,d]
        closedForms.add(new ClosedFormGradients.Rule(x.name(), n.name(), (gr, e) -> {
            SDVariable nv = gr.getVariable(n.name());
            SDVariable r = e.sub(nv.mul(e.mul(nv).mean(true, 1)));
            return (centred ? r.sub(e.mean(true, 1)) : r).div(gr.getVariable(sigma.name()));
        }));
        return n;
    }

    /** a + b of equal shapes: declared so that the gradient function hands dL/dy to both as it is ({@link SumGradients}). */
    private SDVariable plus(SDVariable a, SDVariable b) {
        sums.add(new SumGradients.Sum(a.name(), b.name()));
        return a.add(b);
    }

    /** x + v, v a [d] vector along the last axis of x [N,d]: declared so that dL/dx skips dL/dv ({@link FrozenWeightGradients}). */
    private SDVariable plusVector(SDVariable x, SDVariable v) {
        vectorOperands.add(new FrozenWeightGradients.VectorOperand(x.name(), v.name()));
        return x.add(v);
    }

    /** x · v, v a [d] vector along the last axis of x [N,d] (declared like {@link #plusVector}). */
    private SDVariable timesVector(SDVariable x, SDVariable v) {
        vectorOperands.add(new FrozenWeightGradients.VectorOperand(x.name(), v.name()));
        return x.mul(v);
    }

    /**
     * GPT-2 "gelu_new": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as x·σ(z), z = x·(k + k·0.044715·x²),
     * k = 2√(2/π) — the same function (½(1 + tanh u) = σ(2u)) in fewer ops, and ND4J's sigmoid is much cheaper than its
     * tanh. dL/dx = eps·s·(1 + (x − y)·(k + 3k·0.044715·x²)), s = σ(z), declared as a closed form: SameDiff's own
     * chain recomputes the sigmoid in sigmoid_bp and takes five more ops on [N,f] arrays. One op each way where
     * {@link JavaKernels#available}.
     */
    public static SDVariable gelu(SameDiff sd, SDVariable x, List<ClosedFormGradients.Rule> closedForms) {
        if (JavaKernels.available()) return ActivationOps.geluNew(sd, x);
        double k = Activations.K, ka = Activations.KA;
        SDVariable x2 = x.mul(x);
        SDVariable s = sd.nn.sigmoid(x2.mul(ka).add(k).mul(x));
        SDVariable y = x.mul(s);
        closedForms.add(new ClosedFormGradients.Rule(x.name(), y.name(), (g, eps) -> xSigmoidGradient(eps, g.getVariable(x.name()),
                g.getVariable(y.name()), g.getVariable(s.name()), g.getVariable(x2.name()).mul(3 * ka).add(k))));
        return y;
    }

    /** SiLU y = x·σ(x); dL/dx = eps·s·(1 + x − y), s = σ(x), declared as a closed form (as for {@link #gelu}). */
    private SDVariable silu(SDVariable x) {
        if (JavaKernels.available()) return ActivationOps.silu(sd, x);
        SDVariable s = sd.nn.sigmoid(x);
        SDVariable y = x.mul(s);
        closedForms.add(new ClosedFormGradients.Rule(x.name(), y.name(),
                (g, eps) -> xSigmoidGradient(eps, g.getVariable(x.name()), g.getVariable(y.name()), g.getVariable(s.name()), null)));
        return y;
    }

    /**
     * dL/dx of y = x·σ(z(x)), s = σ(z): eps·s·(1 + x·(1 − s)·z'(x)), with x·(1 − s) taken as x − y (one op on [N,f]
     * instead of two); dz = z'(x), or null for z = x.
     */
    private static SDVariable xSigmoidGradient(SDVariable eps, SDVariable x, SDVariable y, SDVariable s, SDVariable dz) {
        SDVariable t = x.sub(y);
        return (dz == null ? t : t.mul(dz)).add(1.0).mul(s).mul(eps);
    }

    /**
     * A GPT-2 block. Windowed (the top layer, see the class comment): the keys and values cover every position, the
     * rest only the window's rows, so it takes h [N,d] and returns [B·A,d].
     */
    private SDVariable gpt2Block(BaseModel base, SDVariable h, int l, boolean windowed) {
        String p = "h." + l + ".";
        int t = windowed ? window : seqLen;
        SDVariable m, z;
        if (l == 0 && frozenPrefix) {
            h = prefixInput(FrozenPrefix.RESIDUAL, cfg.dModel());
            m = prefixInput(FrozenPrefix.NORM, cfg.dModel());
            z = prefixInput(FrozenPrefix.FFN_IN, cfg.dFfn());
        } else {
            SDVariable a = layerNorm(h, w(base, p + "ln_1.weight"), w(base, p + "ln_1.bias"));             // [N,d]
            String wName = p + "attn.c_attn.weight", bName = p + "attn.c_attn.bias";
            SDVariable q, k, v;
            if (windowed) {                                  // queries only at the window's rows: c_attn's q columns on them
                int d = cfg.dModel();
                SDVariable aw = inWindow(a, d, true);                                                      // [B·A,d]
                q = adapt(p + "attn.q", aw, linear(aw, columns(base, wName, 0, d), columns(base, bName, 0, d), true), window);
                SDVariable[] kv = sd.split(linear(a, columns(base, wName, d, 3 * d), columns(base, bName, d, 3 * d), true), 2, 1);
                k = kv[0];
                v = adapt(p + "attn.v", a, kv[1], seqLen);
            } else {
                SDVariable[] s = sd.split(linear(a, w(base, wName), w(base, bName), true), 3, 1);          // 3×[N,d]
                q = adapt(p + "attn.q", a, s[0], seqLen);
                k = s[1];
                v = adapt(p + "attn.v", a, s[2], seqLen);
            }
            SDVariable o = attention(q, k, v, windowed);                                                   // [B·t,d]
            h = prefixName(plus(inWindow(h, cfg.dModel(), windowed), linear(o, w(base, p + "attn.c_proj.weight"),
                    w(base, p + "attn.c_proj.bias"), true)), l, FrozenPrefix.RESIDUAL);
            m = prefixName(layerNorm(h, w(base, p + "ln_2.weight"), w(base, p + "ln_2.bias")), l, FrozenPrefix.NORM); // [B·t,d]
            z = prefixName(linear(m, w(base, p + "mlp.c_fc.weight"), w(base, p + "mlp.c_fc.bias"), true), l, FrozenPrefix.FFN_IN); // [B·t,f]
        }
        SDVariable f = gelu(sd, adapt(p + "mlp.c_fc", m, z, t), closedForms);                             // [B·t,f]
        return plus(h, linear(f, w(base, p + "mlp.c_proj.weight"), w(base, p + "mlp.c_proj.bias"), true, p + "mlp.c_proj", t)); // [B·t,d]
    }

    /** A placeholder [N,cols] for one of layer 0's frozen outputs ({@link FrozenPrefix}). */
    private SDVariable prefixInput(String name, int cols) {
        return sd.placeHolder(name, dt, -1, cols);
    }

    /**
     * Layer 0's frozen outputs carry {@link FrozenPrefix}'s names in every graph, so that any graph of the base can
     * compute them; renamed before anything reads them, so that closed-form rules record the final names.
     */
    private static SDVariable prefixName(SDVariable x, int layer, String name) {
        return layer == 0 ? x.rename(name) : x;
    }

    /** A Llama block; windowed as for {@link #gpt2Block}. */
    private SDVariable llamaBlock(BaseModel base, SDVariable h, int l, boolean windowed) {
        String p = "model.layers." + l + ".";
        int t = windowed ? window : seqLen;
        SDVariable m, gate0, up0;
        if (l == 0 && frozenPrefix) {
            h = prefixInput(FrozenPrefix.RESIDUAL, cfg.dModel());
            m = prefixInput(FrozenPrefix.NORM, cfg.dModel());
            gate0 = prefixInput(FrozenPrefix.FFN_IN, cfg.dFfn());
            up0 = prefixInput(FrozenPrefix.FFN_UP, cfg.dFfn());
        } else {
            SDVariable a = rmsNorm(h, w(base, p + "input_layernorm.weight"));                              // [N,d]
            SDVariable aq = inWindow(a, cfg.dModel(), windowed);                                          // the queries' rows
            SDVariable q = linear(aq, w(base, p + "self_attn.q_proj.weight"), null, false, p + "self_attn.q_proj", t); // [B·t,H·hd]
            SDVariable k = linear(a, w(base, p + "self_attn.k_proj.weight"), null, false);                 // [N,Hkv·hd]
            SDVariable v = linear(a, w(base, p + "self_attn.v_proj.weight"), null, false, p + "self_attn.v_proj", seqLen); // [N,Hkv·hd]
            SDVariable o = attention(q, k, v, windowed);                                                   // [B·t,H·hd]
            h = prefixName(plus(inWindow(h, cfg.dModel(), windowed), linear(o, w(base, p + "self_attn.o_proj.weight"), null, false)),
                    l, FrozenPrefix.RESIDUAL);
            m = prefixName(rmsNorm(h, w(base, p + "post_attention_layernorm.weight")), l, FrozenPrefix.NORM); // [B·t,d]
            gate0 = prefixName(linear(m, w(base, p + "mlp.gate_proj.weight"), null, false), l, FrozenPrefix.FFN_IN); // [B·t,f]
            up0 = prefixName(linear(m, w(base, p + "mlp.up_proj.weight"), null, false), l, FrozenPrefix.FFN_UP);     // [B·t,f]
        }
        SDVariable gate = adapt(p + "mlp.gate_proj", m, gate0, t);                                         // [B·t,f]
        SDVariable up = adapt(p + "mlp.up_proj", m, up0, t);                                               // [B·t,f]
        SDVariable act = silu(gate).mul(up);                                                               // SwiGLU [B·t,f]
        return plus(h, linear(act, w(base, p + "mlp.down_proj.weight"), null, false, p + "mlp.down_proj", t));   // [B·t,d]
    }

    /**
     * The rows of x [N,cols] in the windows, [B·A,cols] in row order, or x itself when not windowed: {@link RowGather}
     * where {@link #javaRows}, else one batched matmul with each row's one-hot selection [A,T] (2·B·A·T·cols FLOPs,
     * and as much for dL/dx; a dynamic_partition took 20–30 ms each way on [12288,64] with one thread, and ND4J's
     * gather's backward fails on these shapes).
     */
    private SDVariable inWindow(SDVariable x, int cols, boolean windowed) {
        if (!windowed) return x;
        return javaRows ? RowGather.rows(sd, x, windowSelect) : sd.mmul(windowSelect, x.reshape(-1, seqLen, cols)).reshape(-1, cols);
    }

    /**
     * Causal multi-head (grouped-query) attention. q [N,H·hd], k/v [N,Hkv·hd] → [N,H·hd]; windowed, q holds only the
     * window's rows [B·A,H·hd] (their projections were computed on those rows alone; RoPE turns them at their own
     * positions) → [B·A,H·hd].
     */
    private SDVariable attention(SDVariable q, SDVariable k, SDVariable v, boolean windowed) {
        int t = seqLen, tq = windowed ? window : t, h = cfg.nHeads(), hk = cfg.nKvHeads(), hd = cfg.headDim();
        if (cfg.family() == Family.LLAMA) {
            q = windowed ? rope(q, h, window, windowCos, windowSin) : rope(q, h, t, ropeCos, ropeSin);
            k = rope(k, hk, t, ropeCos, ropeSin);
        }
        SDVariable q4 = q.mul(1.0 / Math.sqrt(hd)).reshape(-1, tq, h, hd).permute(0, 2, 1, 3);             // [B,H,tq,hd] scaled
        SDVariable k4 = k.reshape(-1, t, hk, hd).permute(0, 2, 1, 3);                                      // [B,Hkv,T,hd]
        SDVariable v4 = v.reshape(-1, t, hk, hd).permute(0, 2, 1, 3);                                      // [B,Hkv,T,hd]
        if (hk < h) {
            k4 = repeatKv(k4, h / hk);                                                                     // [B,H,T,hd]
            v4 = repeatKv(v4, h / hk);
        }
        SDVariable att = BatchedMatmul.mmul(sd, q4, k4, false, true).add(windowed ? windowBias : attnBias);        // [B,H,tq,T]
        att = JavaKernels.available() ? Softmax.lastAxis(sd, att) : sd.nn.softmax(att, 3);
        return BatchedMatmul.mmul(sd, att, v4, false, false).permute(0, 2, 1, 3).reshape(-1, h * hd);                                   // [B·tq,H·hd]
    }

    /** HF repeat_kv: kv head j serves query heads j·rep … j·rep+rep−1. [B,Hkv,T,hd] → [B,Hkv·rep,T,hd]. */
    private SDVariable repeatKv(SDVariable x, int rep) {
        int t = seqLen, hk = cfg.nKvHeads(), hd = cfg.headDim();
        SDVariable x5 = x.reshape(-1, hk, 1, t, hd);                                                       // [B,Hkv,1,T,hd]
        SDVariable[] copies = new SDVariable[rep];
        java.util.Arrays.fill(copies, x5);
        return sd.concat(2, copies).reshape(-1, hk * rep, t, hd);                                          // [B,H,T,hd]
    }

    private void initRope() {
        int t = seqLen, hd = cfg.headDim(), half = hd / 2;
        float[] cos = new float[t * hd], sin = new float[t * hd];
        for (int p = 0; p < t; p++)
            for (int i = 0; i < half; i++) {
                double f = p * Math.pow(cfg.ropeTheta(), -2.0 * i / hd);
                cos[p * hd + i] = cos[p * hd + i + half] = (float) Math.cos(f);
                sin[p * hd + i] = sin[p * hd + i + half] = (float) Math.sin(f);
            }
        ropeCosTable = cos;
        ropeSinTable = sin;
        ropeCos = sd.constant("ropeCos", Nd4j.create(cos, new long[]{t, 1, hd}, 'c').castTo(dt));           // [T,1,hd]
        ropeSin = sd.constant("ropeSin", Nd4j.create(sin, new long[]{t, 1, hd}, 'c').castTo(dt));           // [T,1,hd]
        if (window < t) {                                                                                  // the window's positions per row
            windowCos = sd.placeHolder("windowCos", dt, -1, window, hd).reshape(-1, window, 1, hd);        // [B,A,1,hd]
            windowSin = sd.placeHolder("windowSin", dt, -1, window, hd).reshape(-1, window, 1, hd);
        }
    }

    /**
     * HF Llama RoPE (rotate_half) on heads of hd: x·cos + cat(−x₂, x₁)·sin. x [B·len,heads·hd] → [B·len,heads·hd];
     * cos/sin [len,1,hd] (the same positions in every row) or [B,len,1,hd] (each row's window).
     */
    private SDVariable rope(SDVariable x, int heads, int len, SDVariable cos, SDVariable sin) {
        int hd = cfg.headDim();
        SDVariable x4 = x.reshape(-1, len, heads, hd);                                                     // [B,len,heads,hd]
        SDVariable[] halves = sd.split(x4, 2, 3);                                                          // 2×[B,len,heads,hd/2]
        SDVariable rot = sd.concat(3, halves[1].neg(), halves[0]);                                         // [B,len,heads,hd]
        return plus(x4.mul(cos), rot.mul(sin)).reshape(-1, heads * hd);
    }

    // ---------------------------------------------------------------------------------------------- feeding / reading

    /**
     * Starts a call on this thread: the sessions of the graph and of its gradient function use {@link StepArrays}, and
     * the previous call's arrays are recycled (its results must have been read by now).
     */
    private void beginCall() {
        if (!REUSE_ARRAYS) return;
        long tid = Thread.currentThread().getId();
        for (SameDiff s : graphAndGradient()) {
            InferenceSession session = s.getSessions().computeIfAbsent(tid, k -> new ModelSession(s));
            if (session.getMmgr() instanceof StepArrays arrays) arrays.recycle();
            else session.setMmgr(new StepArrays());
        }
    }

    /** The graph and, once a gradient was asked for, its gradient function: each has its own sessions. */
    private List<SameDiff> graphAndGradient() {
        SameDiff grad = sd.getFunction("grad");
        return grad == null ? List.of(sd) : List.of(sd, grad);
    }

    /** Frees this thread's reusable arrays of the graph (the graph stays usable; its next call allocates afresh). */
    public void releaseArrays() {
        long tid = Thread.currentThread().getId();
        for (SameDiff s : graphAndGradient()) {
            InferenceSession session = s.getSessions().get(tid);
            if (session != null && session.getMmgr() instanceof StepArrays arrays) arrays.close();
        }
    }

    /** The batch as placeholders, at the start of every call on the graph (see {@link #beginCall}). */
    public Map<String, INDArray> feed(Batch b) {
        beginCall();
        if (b.seqLen != seqLen) throw new IllegalArgumentException("Cannot feed batch: seqLen " + b.seqLen + " != graph " + seqLen);
        checkVocabulary(b);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("tokens", Nd4j.createFromArray(b.tokens).reshape(b.rows, seqLen));
        if (frozenPrefix) {
            if (b.prefix == null) throw new IllegalArgumentException("Cannot feed batch: the graph takes layer 0's frozen outputs and the batch has none");
            ph.putAll(b.prefix);
        }
        int m = b.headRows.length;
        int[] tgt = new int[m];
        float[] w = new float[m];
        for (int k = 0; k < m; k++) {
            tgt[k] = b.targets[b.headRows[k]];
            w[k] = b.weights[b.headRows[k]];
        }
        int[] headMask = window < seqLen ? feedWindows(b, ph) : mask(b.rows * seqLen, b.headRows);        // over the head's input rows
        if (javaRows) ph.put("headRows", Nd4j.createFromArray(ones(headMask)));
        else ph.put("headPartition", Nd4j.createFromArray(headMask));
        ph.put("targets", Nd4j.createFromArray(tgt));
        ph.put("weights", Nd4j.createFromArray(w).castTo(dt));
        ph.put("keyMask", Nd4j.createFromArray(b.keyMask).reshape(b.rows, seqLen).castTo(dt));
        if (userEmb != null) {
            if (b.userEmb == null) throw new IllegalArgumentException("Cannot feed batch: the router needs user embeddings");
            ph.put("userEmb", Nd4j.createFromArray(b.userEmb).reshape(b.rows, b.embDim).castTo(dt));
        }
        if (hardGate != null) {
            if (b.hardGroup == null) throw new IllegalArgumentException("Cannot feed batch: hard routing needs each row's cluster");
            INDArray g = Nd4j.zeros(dt, b.rows, spec.experts().k());
            for (int i = 0; i < b.rows; i++) g.putScalar(i, b.hardGroup[i], 1.0);
            ph.put("hardGate", g);
        }
        if (spec.users() != null && b.rows % spec.users().size() != 0)
            throw new IllegalArgumentException("Cannot feed batch: " + b.rows + " rows are not " + spec.users().size() + " users × equal rows");
        return ph;
    }

    /**
     * Every token and target must index the embedding and head: ND4J's gather does not check its indices, so an id
     * outside the vocabulary (a tokenizer that does not match the base model) would crash the JVM, not fail the task.
     * The targets are the same sequences shifted by one, so checking the tokens checks them too.
     */
    private void checkVocabulary(Batch b) {
        int v = cfg.vocabSize();
        for (int i = 0; i < b.tokens.length; i++)
            if (b.tokens[i] < 0 || b.tokens[i] >= v)
                throw new IllegalArgumentException("Cannot feed batch: token id " + b.tokens[i] + " (row " + i / seqLen
                        + ", position " + i % seqLen + ") is outside the base model's vocabulary of " + v
                        + " ids; the tokenizer does not match the model");
    }

    /**
     * Feeds the top layer's windows (windowRows or windowSelect; windowBias: the attention bias of the window's
     * queries, as attnBias has it for those positions) and returns the head rows' mask over the window rows [B·A].
     */
    private int[] feedWindows(Batch b, Map<String, INDArray> ph) {
        int t = seqLen, a = window;
        int[] start = b.windowStarts(a), head = new int[b.rows * a];
        float[] select = javaRows ? null : new float[b.rows * a * t], bias = new float[b.rows * a * t];
        for (int r = 0; r < b.rows; r++)
            for (int i = 0; i < a; i++) {
                int pos = start[r] + i;
                if (select != null) select[(r * a + i) * t + pos] = 1;
                for (int j = 0; j < t; j++)
                    bias[(r * a + i) * t + j] = (float) ((b.keyMask[r * t + j] - 1) * -NEG + (j > pos ? NEG : 0));
            }
        for (int i : b.headRows) head[i / t * a + i % t - start[i / t]] = 1;
        if (javaRows) {
            int[] rows = new int[b.rows * a];
            for (int r = 0; r < b.rows; r++)
                for (int i = 0; i < a; i++) rows[r * a + i] = r * t + start[r] + i;
            ph.put("windowRows", Nd4j.createFromArray(rows));
        } else {
            ph.put("windowSelect", Nd4j.createFromArray(select).reshape(b.rows, a, t).castTo(dt));
        }
        ph.put("windowBias", Nd4j.createFromArray(bias).reshape(b.rows, a, t).castTo(dt));
        if (windowCos != null) {
            int hd = cfg.headDim();
            float[] cos = new float[b.rows * a * hd], sin = new float[cos.length];
            for (int r = 0; r < b.rows; r++)
                for (int i = 0; i < a; i++) {
                    System.arraycopy(ropeCosTable, (start[r] + i) * hd, cos, (r * a + i) * hd, hd);
                    System.arraycopy(ropeSinTable, (start[r] + i) * hd, sin, (r * a + i) * hd, hd);
                }
            ph.put("windowCos", Nd4j.createFromArray(cos).reshape(b.rows, a, hd).castTo(dt));
            ph.put("windowSin", Nd4j.createFromArray(sin).reshape(b.rows, a, hd).castTo(dt));
        }
        return head;
    }

    /** The positions of a mask's ones, in order (the rows dynamic_partition would take). */
    private static int[] ones(int[] mask) {
        return java.util.stream.IntStream.range(0, mask.length).filter(i -> mask[i] != 0).toArray();
    }

    private static int[] mask(int n, int[] ones) {
        int[] m = new int[n];
        for (int i : ones) m[i] = 1;
        return m;
    }

    /** Reloads every adapter value (trainable or not) from a spec of the same structure (see {@link GraphCache}). */
    void load(GraphSpec s) {
        this.spec = s;
        if (s.shared() != null) for (TargetModule m : s.shared().modules()) {
            set("lora." + m.name() + ".A", s.shared().a(m.name()).toNd(dt));
            set("lora." + m.name() + ".B", s.shared().b(m.name()).toNd(dt));
        }
        GroupExperts g = s.experts();
        if (g != null) {
            for (TargetModule m : g.modules()) {
                set("experts." + m.name() + ".A", expertFactor(g, m.name(), true));
                set("experts." + m.name() + ".B", expertFactor(g, m.name(), false));
                if (!s.hardRouting()) set("router." + m.name() + ".v", g.routerV().get(m.name()).toNd(dt));
            }
            if (!s.hardRouting()) set("router.centroids", g.centroids().toNd(dt));
        }
        if (s.users() != null) for (int u = 0; u < s.users().size(); u++) writeUser(u, s.users().get(u));
    }

    public INDArray arr(String name) {
        return sd.getArrForVarName(name);
    }

    void set(String name, INDArray value) {
        sd.getArrForVarName(name).assign(value);
    }

    public Map<String, INDArray> snapshot() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String n : trainable) m.put(n, arr(n).dup());
        return m;
    }

    public void restore(Map<String, INDArray> snap) {
        snap.forEach(this::set);
    }

    public LoraAdapter readShared() {
        LoraAdapter sh = spec.shared();
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        for (TargetModule m : sh.modules()) {
            a.put(m.name(), Tensor.of(arr("lora." + m.name() + ".A")));
            b.put(m.name(), Tensor.of(arr("lora." + m.name() + ".B")));
        }
        return sh.withFactors(a, b);
    }

    public GroupExperts readExperts() {
        GroupExperts g = spec.experts();
        List<LoraAdapter> ex = new ArrayList<>();
        for (int k = 0; k < g.k(); k++) {
            Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            for (TargetModule m : g.modules()) {
                a.put(m.name(), Tensor.of(arr("experts." + m.name() + ".A").slice(k)));
                b.put(m.name(), Tensor.of(arr("experts." + m.name() + ".B").slice(k)));
            }
            ex.add(g.experts().get(k).withFactors(a, b));
        }
        Map<String, Tensor> v = new LinkedHashMap<>();
        Tensor cen = g.centroids();
        if (!spec.hardRouting()) {
            for (TargetModule m : g.modules()) v.put(m.name(), Tensor.of(arr("router." + m.name() + ".v")));
            cen = Tensor.of(arr("router.centroids"));
        } else {
            v.putAll(g.routerV());
        }
        return g.with(ex, cen, v);
    }

    List<UserAdapter> readUsers() {
        List<UserAdapter> us = spec.users(), out = new ArrayList<>();
        for (int u = 0; u < us.size(); u++) out.add(readUser(u, us.get(u)));
        return out;
    }

    public UserAdapter readUser(int u, UserAdapter template) {
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>(), r = new LinkedHashMap<>();
        for (TargetModule m : template.lora().modules()) {
            a.put(m.name(), Tensors.readSlot(arr("users." + m.name() + ".A"), u));
            b.put(m.name(), Tensors.readSlot(arr("users." + m.name() + ".B"), u));
            if (usesLoraAwareRouter()) r.put(m.name(), Tensors.readSlot(arr("users." + m.name() + ".R"), u));
        }
        return new UserAdapter(template.userId(), template.lora().withFactors(a, b), r);
    }

    /** Writes a user's adapter into stacked slot u (reusing one graph for many users). */
    public void writeUser(int u, UserAdapter ua) {
        for (TargetModule m : ua.lora().modules()) {
            Tensors.writeSlot(arr("users." + m.name() + ".A"), u, ua.lora().a(m.name()));
            Tensors.writeSlot(arr("users." + m.name() + ".B"), u, ua.lora().b(m.name()));
            if (usesLoraAwareRouter()) Tensors.writeSlot(arr("users." + m.name() + ".R"), u, ua.routerR().get(m.name()));
        }
    }

    public BaseModel readBase(BaseModel template) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (String n : template.weights().keySet()) {
            if (sd.hasVariable(n)) w.put(n, Tensor.of(arr(n)));
            else w.put(n, template.weight(n));
        }
        return new BaseModel(template.config(), w);
    }
}
