package org.proper.model;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam / AdamW with per-element state, applied in place to a graph's trainable arrays. Because state is per element
 * and clipping is per user for stacked [U,…] parameters, stacking users changes nothing about any one user's update.
 */
final class AdamW {
    private final TrainOptions o;
    private final Map<String, INDArray> m = new HashMap<>(), v = new HashMap<>(), scratch = new HashMap<>();
    private int t;

    AdamW(TrainOptions o) {
        this.o = o;
    }

    /**
     * Clips by global L2 norm: per user (axis 0) over the stacked names, globally over the others. A stacked gradient
     * [U,…] is taken as the rows of [U, rest] (a view: reshaping in the array's own order keeps axis 0 intact), so each
     * takes one norm op and at most one scaling op whatever U is, not U of each.
     */
    static void clip(Map<String, INDArray> grads, Set<String> stacked, double maxNorm) {
        if (maxNorm <= 0) return;
        double global = 0;
        double[] perUser = null;
        org.nd4j.linalg.api.buffer.DataType userType = null;
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray g = e.getValue();
            if (stacked.contains(e.getKey())) {
                userType = g.dataType();
                double[] n = userRows(g).norm2(1).toDoubleVector();
                if (perUser == null) perUser = new double[n.length];
                for (int i = 0; i < n.length; i++) perUser[i] += n[i] * n[i];
            } else {
                double n = g.norm2Number().doubleValue();
                global += n * n;
            }
        }
        double gn = Math.sqrt(global);
        INDArray userScale = perUser == null ? null : userScale(perUser, maxNorm, userType);
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray g = e.getValue();
            if (stacked.contains(e.getKey())) {
                if (userScale == null) continue;
                INDArray rows = userRows(g);
                rows.muliColumnVector(userScale);
                if (rows.data() != g.data()) g.assign(rows.reshape(g.ordering(), g.shape()));   // reshape had to copy
            } else if (gn > maxNorm) {
                g.muli(maxNorm / gn);
            }
        }
    }

    private static INDArray userRows(INDArray g) {
        return g.reshape(g.ordering(), g.size(0), g.length() / g.size(0));
    }

    /** [U,1] factors min(1, maxNorm / ‖g_u‖) of the gradients' type, or null when no user's norm exceeds maxNorm. */
    private static INDArray userScale(double[] squaredNorms, double maxNorm, org.nd4j.linalg.api.buffer.DataType type) {
        double[] f = new double[squaredNorms.length];
        boolean any = false;
        for (int i = 0; i < f.length; i++) {
            double n = Math.sqrt(squaredNorms[i]);
            f[i] = n > maxNorm ? maxNorm / n : 1.0;
            any |= n > maxNorm;
        }
        return any ? Nd4j.createFromArray(f).reshape(f.length, 1).castTo(type) : null;
    }

    /** One update in place, allocating nothing once warm: the gradient array (this call's, recycled) is scratch space. */
    void step(ModelGraph graph, Map<String, INDArray> grads, double lr) {
        t++;
        double b1 = o.beta1(), b2 = o.beta2();
        double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
        for (String name : graph.trainable) {
            INDArray g = grads.get(name);
            if (g == null) continue;
            INDArray p = graph.arr(name);
            INDArray mm = m.computeIfAbsent(name, k -> Nd4j.zerosLike(p));
            INDArray vv = v.computeIfAbsent(name, k -> Nd4j.zerosLike(p));
            INDArray tmp = scratch.computeIfAbsent(name, k -> Nd4j.zerosLike(p));
            vv.muli(b2).addi(tmp.assign(g).muli(g).muli(1 - b2));                // v = β2 v + (1−β2) g²
            mm.muli(b1).addi(g.muli(1 - b1));                                     // m = β1 m + (1−β1) g
            Transforms.sqrt(tmp.assign(vv).divi(c2), false).addi(o.eps());       // √v̂ + ε
            INDArray upd = g.assign(mm).divi(c1).divi(tmp).muli(lr);              // lr·m̂/(√v̂+ε)
            if (o.optimizer() == TrainOptions.Optimizer.ADAMW && o.weightDecay() > 0) p.muli(1 - lr * o.weightDecay());
            p.subi(upd);
        }
    }
}
