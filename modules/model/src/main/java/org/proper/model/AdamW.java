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

    /** Clips by global L2 norm: per user (axis 0) over the stacked names, globally over the others. */
    static void clip(Map<String, INDArray> grads, Set<String> stacked, double maxNorm) {
        if (maxNorm <= 0) return;
        double global = 0;
        double[] perUser = null;
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray g = e.getValue();
            if (stacked.contains(e.getKey())) {
                int u = (int) g.size(0);
                if (perUser == null) perUser = new double[u];
                for (int i = 0; i < u; i++) {
                    double n = g.slice(i).norm2Number().doubleValue();
                    perUser[i] += n * n;
                }
            } else {
                double n = g.norm2Number().doubleValue();
                global += n * n;
            }
        }
        double gn = Math.sqrt(global);
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray g = e.getValue();
            if (stacked.contains(e.getKey())) {
                for (int i = 0; i < perUser.length; i++) {
                    double n = Math.sqrt(perUser[i]);
                    if (n > maxNorm) g.slice(i).muli(maxNorm / n);
                }
            } else if (gn > maxNorm) {
                g.muli(maxNorm / gn);
            }
        }
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
