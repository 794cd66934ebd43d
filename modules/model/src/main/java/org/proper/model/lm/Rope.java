package org.proper.model.lm;

import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * HF Llama rotary position embedding (rotate_half) of queries and keys: cos and sin per position [T,1,hd] as
 * constants, and for the windowed top layer's queries each row's window positions [B,A,1,hd] as placeholders
 * ({@link #feedWindows}).
 */
final class Rope {
    private final GraphBuilder g;
    private final SameDiff sd;
    private final SDVariable ropeCos, ropeSin;
    private SDVariable windowCos, windowSin;
    /** RoPE's cos and sin per position [T·hd], for the window's queries ({@link #feedWindows}). */
    private final float[] ropeCosTable, ropeSinTable;

    Rope(GraphBuilder g) {
        this.g = g;
        this.sd = g.sd();
        ModelConfig cfg = g.config();
        DataType dt = g.dataType();
        int t = g.seqLen(), window = g.window(), hd = cfg.headDim(), half = hd / 2;
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

    /** Queries [B·len,H·hd] at every position, or windowed at each row's window positions [B·A,H·hd]. */
    SDVariable queries(SDVariable q, boolean windowed) {
        int h = g.config().nHeads();
        return windowed ? rope(q, h, g.window(), windowCos, windowSin) : rope(q, h, g.seqLen(), ropeCos, ropeSin);
    }

    /** Keys [N,Hkv·hd], at every position. */
    SDVariable keys(SDVariable k) {
        return rope(k, g.config().nKvHeads(), g.seqLen(), ropeCos, ropeSin);
    }

    /**
     * HF Llama RoPE (rotate_half) on heads of hd: x·cos + cat(−x₂, x₁)·sin. x [B·len,heads·hd] → [B·len,heads·hd];
     * cos/sin [len,1,hd] (the same positions in every row) or [B,len,1,hd] (each row's window).
     */
    private SDVariable rope(SDVariable x, int heads, int len, SDVariable cos, SDVariable sin) {
        int hd = g.config().headDim();
        SDVariable x4 = x.reshape(-1, len, heads, hd);                                                     // [B,len,heads,hd]
        SDVariable[] halves = sd.split(x4, 2, 3);                                                          // 2×[B,len,heads,hd/2]
        SDVariable rot = sd.concat(3, halves[1].neg(), halves[0]);                                         // [B,len,heads,hd]
        return g.plus(x4.mul(cos), rot.mul(sin)).reshape(-1, heads * hd);
    }

    /** Feeds windowCos and windowSin: each row's window positions, for windows starting at {@code start} [rows]. */
    void feedWindows(int rows, int[] start, Map<String, INDArray> ph) {
        if (windowCos == null) return;
        int a = g.window(), hd = g.config().headDim();
        DataType dt = g.dataType();
        float[] cos = new float[rows * a * hd], sin = new float[cos.length];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < a; i++) {
                System.arraycopy(ropeCosTable, (start[r] + i) * hd, cos, (r * a + i) * hd, hd);
                System.arraycopy(ropeSinTable, (start[r] + i) * hd, sin, (r * a + i) * hd, hd);
            }
        ph.put("windowCos", Nd4j.createFromArray(cos).reshape(rows, a, hd).castTo(dt));
        ph.put("windowSin", Nd4j.createFromArray(sin).reshape(rows, a, hd).castTo(dt));
    }
}
