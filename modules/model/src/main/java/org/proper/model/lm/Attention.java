package org.proper.model.lm;

import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.kernel.BatchedMatmul;
import org.proper.model.kernel.JavaKernels;
import org.proper.model.kernel.RowGather;
import org.proper.model.kernel.Softmax;

/**
 * Causal multi-head (grouped-query) attention over right-padded rows, and the top layer's window: its masks are
 * built once per graph (causal + key padding, [B,1,T,T]; for the window's queries a bias [B,1,A,T] and the window's
 * rows, fed per batch by {@link #feedWindows}), so each layer adds one bias to its scores.
 */
public final class Attention {
    /** A score that softmax turns into 0. */
    public static final double NEG = -1e9;

    private final GraphBuilder g;
    private final SameDiff sd;
    private final ModelConfig cfg;
    private final SDVariable attnBias;
    private SDVariable windowSelect, windowBias;

    /** The attention masks of a graph whose key mask [B,T] (1 real, 0 pad) is {@code keyMask}. */
    public Attention(GraphBuilder g, SDVariable keyMask) {
        this.g = g;
        this.sd = g.sd();
        this.cfg = g.config();
        int t = g.seqLen(), window = g.window();
        DataType dt = g.dataType();
        float[] c = new float[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) c[i * t + j] = (float) NEG;
        SDVariable causal = sd.constant("causalMask", Nd4j.create(c, new long[]{t, t}, 'c').castTo(dt));   // [T,T]
        // causal + key padding, once per forward pass (each layer then adds one bias to its scores)
        attnBias = keyMask.sub(1.0).mul(-NEG).reshape(-1, 1, 1, t).add(causal);                            // [B,1,T,T]
        if (window < t) {
            windowSelect = g.javaRows() ? sd.placeHolder("windowRows", DataType.INT, -1)                   // [B·A] rows of [N]
                    : sd.placeHolder("windowSelect", dt, -1, window, t);                                   // [B,A,T] one-hot
            windowBias = sd.placeHolder("windowBias", dt, -1, window, t).reshape(-1, 1, window, t);          // [B,1,A,T]
        }
    }

    /**
     * The rows of x [N,cols] in the windows, [B·A,cols] in row order, or x itself when not windowed: {@link RowGather}
     * where the graph selects rows in Java, else one batched matmul with each row's one-hot selection [A,T]
     * (2·B·A·T·cols FLOPs, and as much for dL/dx; a dynamic_partition took 20–30 ms each way on [12288,64] with one
     * thread, and ND4J's gather's backward fails on these shapes).
     */
    public SDVariable inWindow(SDVariable x, int cols, boolean windowed) {
        if (!windowed) return x;
        return g.javaRows() ? RowGather.rows(sd, x, windowSelect) : sd.mmul(windowSelect, x.reshape(-1, g.seqLen(), cols)).reshape(-1, cols);
    }

    /**
     * Causal multi-head (grouped-query) attention. q [N,H·hd], k/v [N,Hkv·hd] → [N,H·hd]; windowed, q holds only the
     * window's rows [B·A,H·hd] (their projections were computed on those rows alone; a family that turns queries
     * and keys by position, RoPE, has done so at their own positions) → [B·A,H·hd].
     */
    public SDVariable attend(SDVariable q, SDVariable k, SDVariable v, boolean windowed) {
        int t = g.seqLen(), tq = windowed ? g.window() : t, h = cfg.nHeads(), hk = cfg.nKvHeads(), hd = cfg.headDim();
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
        int t = g.seqLen(), hk = cfg.nKvHeads(), hd = cfg.headDim();
        SDVariable x5 = x.reshape(-1, hk, 1, t, hd);                                                       // [B,Hkv,1,T,hd]
        SDVariable[] copies = new SDVariable[rep];
        java.util.Arrays.fill(copies, x5);
        return sd.concat(2, copies).reshape(-1, hk * rep, t, hd);                                          // [B,H,T,hd]
    }

    /**
     * Feeds the top layer's windows for a batch of {@code rows} rows whose windows start at {@code start} [rows], with
     * key mask [rows·T]: windowRows or windowSelect, and windowBias, the attention bias of the window's queries (as the
     * graph's bias has it for those positions).
     */
    public void feedWindows(int rows, int[] start, float[] keyMask, Map<String, INDArray> ph) {
        int t = g.seqLen(), a = g.window();
        DataType dt = g.dataType();
        float[] select = g.javaRows() ? null : new float[rows * a * t], bias = new float[rows * a * t];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < a; i++) {
                int pos = start[r] + i;
                if (select != null) select[(r * a + i) * t + pos] = 1;
                for (int j = 0; j < t; j++)
                    bias[(r * a + i) * t + j] = (float) ((keyMask[r * t + j] - 1) * -NEG + (j > pos ? NEG : 0));
            }
        if (g.javaRows()) {
            int[] windowRows = new int[rows * a];
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < a; i++) windowRows[r * a + i] = r * t + start[r] + i;
            ph.put("windowRows", Nd4j.createFromArray(windowRows));
        } else {
            ph.put("windowSelect", Nd4j.createFromArray(select).reshape(rows, a, t).castTo(dt));
        }
        ph.put("windowBias", Nd4j.createFromArray(bias).reshape(rows, a, t).castTo(dt));
    }
}
