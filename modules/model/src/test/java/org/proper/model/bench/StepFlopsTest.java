package org.proper.model.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.proper.model.Fixtures;
import org.proper.model.graph.GraphCache;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.kernel.BatchedMatmul;
import org.proper.model.kernel.JavaKernels;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserAdapter;
import org.proper.model.method.UserOptions;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;

/**
 * The benchmark's FLOP count ({@link StepFlops}) against the matrix products that one real training step executes:
 * it must not claim more work than the step does (it is the floor of the bound on batching), and the step must not do
 * much more than the count (which would mean gradients computed for nothing).
 */
class StepFlopsTest {
    private static final ModelConfig CFG = ModelConfig.gpt2(64, 3, 2, 256, 32);
    private static final int T = 16;
    /** The top layer's window for {@link ModelBench#randomExamples} of T tokens: their 4-token answers, rounded up to 8. */
    private static final int W = 8;

    @AfterEach
    void dropGraphs() {
        LoraTrainer.releaseGraphs();
    }

    @Test
    void aLoraStepExecutesTheCountedMatmulFlops() {
        BaseModel base = BaseModel.init(CFG, 3);
        LoraAdapter lora = LoraAdapter.init(LoraSpec.ffn(4, 8), base, 1);
        List<Example> ex = ModelBench.randomExamples(8, T, 1);
        TrainOptions o = TrainOptions.defaults().withBatchSize(4).withSteps(1);
        ModelGraph g = GraphCache.get(base, new GraphSpec(false, lora, true, null, false, false, 0, 0, null, false, false),
                o.dataType(), T, W);
        assertEquals(W, g.window(), "the step's top layer runs on the window");
        double measured = countedStep(g, () -> LoraTrainer.train(base, lora, ex, o));

        int n = 4 * T, r = 4;
        double expected = StepFlops.ffnAdapterStep(CFG, r, r, 4, T, W, 4 * ModelBench.answerTokens(T));
        // beyond the count: layer 0's dL/dx through A (2n·r·d), which SameDiff's matmul_bp computes with dL/dA and
        // nothing reads (x is layer 0's normed input, below every trainable factor), and any window selections
        assertEquals(expected + 2.0 * n * r * CFG.dModel() + windowSelections(4), measured, 1e-6 * expected,
                "a LoRA step executes the counted GEMMs");
    }

    @Test
    void aBatchedUserStepExecutesTheCountedMatmulFlopsAndLittleMore() {
        BaseModel base = BaseModel.init(CFG, 3);
        float[][] cen = Fixtures.centroids();
        GroupExperts ge = GroupExperts.init(LoraSpec.ffn(4, 8), CFG, cen, 0.5, 3);
        List<UserData> users = new ArrayList<>();
        for (int u = 0; u < 3; u++) users.add(new UserData("user" + u, cen[u % cen.length].clone(), ModelBench.randomExamples(2, T, 10 + u), List.of()));
        UserOptions uo = UserOptions.defaults();
        TrainOptions o = TrainOptions.defaults().withBatchSize(4).withSteps(1);
        List<UserAdapter> start = UserTrainer.initAdapters(base, ge, users, uo, o);
        ModelGraph g = GraphCache.get(base, new GraphSpec(false, null, false, ge, false, uo.hardRouting(), 0, 0, start, true,
                uo.fixedBeta()), o.dataType(), UserTrainer.seqLen(base, users), UserTrainer.window(T, users));
        assertEquals(W, g.window(), "the step's top layer runs on the window");
        double measured = countedStep(g, () -> UserTrainer.trainBatched(base, ge, users, start, uo, o));

        int ru = uo.lora().rank(), k = ge.k(), n = 3 * 2 * T;
        double expected = StepFlops.ffnAdapterStep(CFG, k * ge.spec().rank() + ru, ru, 3 * 2, T, W, 3 * 2 * ModelBench.answerTokens(T));
        // layer 0's dL/dx through A_u: nothing reads it; SameDiff's matmul_bp computes it with dL/dA_u, BatchedMatmul's
        // separate gradient ops are not run for it
        double unreadInputGradient = JavaKernels.available() ? 0 : 2.0 * n * ru * CFG.dModel();
        assertEquals(expected + routersAndGates(3 * 2, k, ru, ge.spec().rank()) + unreadInputGradient + windowSelections(3 * 2), measured,
                1e-6 * expected, "a batched user step executes the counted GEMMs, the routers' and gates', any unread "
                        + "dL/dx through A_u and any window selections");
        assertTrue(measured < 1.05 * expected, "what the count leaves out is small: " + measured / expected);
    }

    /**
     * The top layer's row selections of b rows as matmuls, where {@link org.proper.model.kernel.RowGather} does not take them
     * (Attention.inWindow: q and the residual stream, [b,W,T]·[b,T,d] each): forward, dL/dx, and the unread gradient
     * of the one-hot selection that matmul_bp computes with it. RowGather copies rows: no FLOPs.
     */
    private static double windowSelections(int b) {
        return JavaKernels.available() ? 0 : 2 * 3 * 2.0 * b * W * T * CFG.dModel();
    }

    /**
     * What {@link StepFlops} leaves out of a user step of b rows, per FFN module (on the layer's n' rows: b·T, or b·W in
     * the top layer): the router's x·vᵀ (K columns) and, except in layer 0's c_fc, its dL/dx; the gate's (x·A_uᵀ)·R_uᵀ
     * and its two gradients; the experts' gates spread to their rank columns (LoraMath.mixtureDelta: β [n',K]·E [K,K·r]
     * and its dL/dβ).
     */
    private static double routersAndGates(int b, int k, int ru, int r) {
        double sum = 0;
        for (int layer = 0; layer < CFG.nLayers(); layer++)
            for (int din : new int[]{CFG.dModel(), CFG.dFfn()}) {
                int n = b * (layer == CFG.nLayers() - 1 ? W : T);
                boolean inputGradientRead = layer > 0 || din == CFG.dFfn();
                sum += 2.0 * n * din * k * (inputGradientRead ? 2 : 1) + 3 * 2.0 * n * ru * k + 2 * 2.0 * n * k * k * r;
            }
        return sum;
    }

    /** Sum of 2·m·k·n over the matmul and matmul_bp outputs executed while {@code step} runs on g. */
    private static double countedStep(ModelGraph g, Runnable step) {
        MatmulFlops counter = new MatmulFlops();
        g.sd().setListeners(counter);
        try {
            step.run();
        } finally {
            g.sd().setListeners();
        }
        assertTrue(counter.gemms > 0, "the listener saw the step's matmuls");
        return counter.flops;
    }

    private static final class MatmulFlops extends BaseListener {
        double flops;
        int gemms;

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
            if (op.getOp() instanceof MmulBp) {                 // dL/dx contracts eps's columns, dL/dy its rows
                INDArray eps = ctx.getInputArrays().get(2);
                flops += 2.0 * outputs[0].length() * eps.size(-1);
                if (outputs.length > 1) flops += 2.0 * outputs[1].length() * eps.size(-2);
                gemms += outputs.length;
            } else if (op.getOp() instanceof Mmul) {
                INDArray x = ctx.getInputArrays().get(0);
                boolean transposeX = !ctx.getIArguments().isEmpty() && ctx.getIArguments().get(0) != 0;
                flops += 2.0 * outputs[0].length() * (transposeX ? x.size(-2) : x.size(-1));
                gemms++;
            } else if (op.getOp() instanceof BatchedMatmul.Product p) {
                BatchedMatmul.Dims d = p.dims(ctx.getInputArray(0).shape(), ctx.getInputArray(1).shape());
                flops += 2.0 * d.batches() * d.m() * d.k() * d.n();
                gemms++;
            }
        }
    }
}
