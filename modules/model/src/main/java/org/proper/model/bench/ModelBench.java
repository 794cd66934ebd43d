package org.proper.model.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserOptions;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;

/**
 * CPU benchmark of the model core, one native thread (run with OMP_NUM_THREADS=1 and the surefire JVM flags):
 * (1) FP32 GEMM 1024³ with ND4J; (2) the default model's LoRA training step, achieved FLOP rate as a fraction of (1);
 * (3) users/s, batched vs one by one, same users and steps, each path warmed up by as many graph steps as the other
 * ({@link UserPaths}), medians of 5, in this JVM and then with each path in JVMs of its own; (4) peak memory.
 * Args: [dModel=128] [layers=2] [batch=16] [seqLen=128] [users=32] [userSteps=5] [examplesPerUser=8] [userSeqLen=48]
 * [vocab=259, the byte tokenizer's; 50257 is GPT-2's]
 */
public final class ModelBench {
    public static void main(String[] args) {
        int d = arg(args, 0, 128), layers = arg(args, 1, 2), batch = arg(args, 2, 16), seq = arg(args, 3, 128);
        int users = arg(args, 4, 32), userSteps = arg(args, 5, 5), perUser = arg(args, 6, 8), userLen = arg(args, 7, 48);
        int vocab = arg(args, 8, ByteTokenizer.VOCAB_SIZE);
        System.out.printf("OMP_NUM_THREADS=%s nd4j.maxThreads=%d cores=%d load=%s%n", System.getenv("OMP_NUM_THREADS"),
                Nd4j.getEnvironment().maxThreads(), Runtime.getRuntime().availableProcessors(), loadAvg());
        double[] gm = gemm(1024, 30);
        double gemm = gm[0], gemmCpu = gm[1];
        System.out.printf("GEMM fp32 1024^3: median %.1f GFLOP/s wall-clock, %.1f GFLOP/s per CPU-second of this thread%n", gemm, gemmCpu);

        ModelConfig cfg = ModelConfig.gpt2(d, layers, Math.max(1, d / 32), 4 * d, seq).withVocabSize(vocab);
        BaseModel base = BaseModel.init(cfg, 1);
        LoraSpec spec = LoraSpec.ffn(8, 16);
        List<Example> ex = randomExamples(batch * 4, seq, 7);
        LoraAdapter a0 = LoraAdapter.init(spec, base, 1);
        TrainOptions o = TrainOptions.defaults().withBatchSize(batch).withSteps(3);
        LoraTrainer.train(base, a0, ex, o);                                      // warm-up: graph build + JIT
        int steps = 12;
        long c0 = cpu(), t0 = System.nanoTime();
        LoraTrainer.train(base, a0, ex, o.withSteps(steps + 2));
        long c1 = cpu(), t1 = System.nanoTime();
        LoraTrainer.train(base, a0, ex, o.withSteps(2));
        long c2 = cpu(), t2 = System.nanoTime();
        double stepMs = ((t1 - t0) - (t2 - t1)) / 1e6 / steps;                    // marginal cost of one step
        double stepCpuMs = ((c1 - c0) - (c2 - c1)) / 1e6 / steps;
        double flop = StepFlops.ffnAdapterStep(cfg, spec.rank(), spec.rank(), batch, seq, LoraTrainer.topLayerWindow(ex, seq),
                batch * answerTokens(seq));
        double rate = flop / stepMs / 1e6, rateCpu = flop / stepCpuMs / 1e6;
        System.out.printf("LoRA train step d=%d L=%d F=%d V=%d B=%d T=%d r=%d: marginal %.1f ms/step wall (%.1f ms CPU), "
                        + "%.2f GFLOP/step (StepFlops: fwd + the activation grads needed + LoRA grads) = %.1f GFLOP/s = %.0f%% of GEMM wall-clock; "
                        + "%.1f GFLOP/CPU-s = %.0f%% of GEMM per CPU-second%n",
                d, layers, 4 * d, cfg.vocabSize(), batch, seq, spec.rank(), stepMs, stepCpuMs, flop / 1e9, rate, 100 * rate / gemm,
                rateCpu, 100 * rateCpu / gemmCpu);

        // users/s: same users, same steps, batched vs one by one
        UserPaths.Setup setup = UserPaths.Setup.of(d, layers, users, userSteps, perUser, userLen, vocab);
        ModelConfig ucfg = setup.base().config();
        BaseModel ubase = setup.base();
        GroupExperts ge = setup.experts();
        List<UserData> us = setup.users();
        UserOptions uo = setup.userOptions();
        TrainOptions uopt = setup.options();
        long hwm0 = peakRssKb();
        // Warm-up (UserPaths.Setup#warmUp): each path until its graphs have run U x steps training steps, so that both
        // graphs are built (the batched one is per U) and the JIT has compiled their code before the timed runs; the
        // user stage trains millions of users on one cached graph per thread, so its steady state is what the ratio is about.
        int warmB = setup.warmUp(true), warmO = setup.warmUp(false);
        System.out.printf("Users warm-up: batched %d calls, one by one %d calls (each until U x steps = %d graph steps)%n",
                warmB, warmO, users * userSteps);
        int userReps = 5;
        double[] bt = new double[userReps], st = new double[userReps], bc = new double[userReps], sc = new double[userReps];
        for (int rep = 0; rep < userReps; rep++) {
            long ca = cpu();
            bt[rep] = setup.time(true);
            long cb = cpu();
            st[rep] = setup.time(false);
            long cc = cpu();
            bc[rep] = (cb - ca) / 1e9;
            sc[rep] = (cc - cb) / 1e9;
        }
        for (double[] a : List.of(bt, st, bc, sc)) Arrays.sort(a);
        int mid = userReps / 2;
        System.out.printf("Users CPU time: batched median %.2f CPU-s = %.1f users/CPU-s; one-by-one median %.2f CPU-s = %.1f users/CPU-s; speed-up %.1fx%n",
                bc[mid], users / bc[mid], sc[mid], users / sc[mid], sc[mid] / bc[mid]);
        System.out.printf("Users: U=%d x %d examples of %d tokens, %d steps x batch 4, user LoRA r=4 + LoRA-aware router over K=3 experts: "
                        + "batched median %.2f s = %.1f users/s; one-by-one median %.2f s = %.1f users/s; speed-up %.1fx%n",
                users, perUser, userLen, userSteps, bt[mid], users / bt[mid], st[mid], users / st[mid], st[mid] / bt[mid]);
        System.out.printf("  sorted runs (s): batched %s; one by one %s%n", rounded(bt), rounded(st));
        // No batching can beat the arithmetic: a user-step's matmul FLOPs at this run's GEMM rate is a floor for the
        // batched path, so one by one's measured time per user-step over that floor bounds the speed-up. The count
        // leaves out the routers, the softmaxes and every element-wise op, so the true floor is higher still.
        int rows = Math.min(uopt.batchSize(), perUser), userStepCount = users * userSteps;
        double userFlop = StepFlops.ffnAdapterStep(ucfg, ge.k() * ge.spec().rank() + uo.lora().rank(), uo.lora().rank(), rows, userLen,
                LoraTrainer.topLayerWindow(us.get(0).train(), userLen), rows * answerTokens(userLen));
        double oneMs = st[mid] * 1e3 / userStepCount, batchedMs = bt[mid] * 1e3 / userStepCount, floorMs = userFlop / gemm / 1e6;
        System.out.printf("Users bound: %.3f GFLOP per user-step (%d x %d tokens) = %.2f ms at this run's GEMM rate; "
                        + "one by one %.1f ms, batched %.1f ms per user-step; no batching can exceed %.1fx here%n",
                userFlop / 1e9, rows, userLen, floorMs, oneMs, batchedMs, oneMs / floorMs);
        usersIsolated(d, layers, users, userSteps, perUser, userLen, vocab);
        System.out.printf("Memory: peak RSS %d MiB (before user runs %d MiB), JVM heap used %d MiB, javacpp off-heap %d MiB%n",
                peakRssKb() / 1024, hwm0 / 1024, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                org.bytedeco.javacpp.Pointer.totalBytes() >> 20);
        switchAB("proper.skipFrozenGradients", "Frozen-weight gradients skipped vs computed", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.closedFormGradients", "Closed-form gradients vs SameDiff's op by op", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.headAtLossRowsOnly", "LM head at the loss positions only vs at every position", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.topLayerWindow", "Top layer on the answer window vs at every position", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.frozenPrefix", "Layer 0's frozen prefix computed once per example vs at every step", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.gateByMatmul", "Expert gates spread by a matmul vs a broadcast product", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.sumGradients", "Equal-shape sums' gradients passed on vs copied by add_bp", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.sharedInputGradients", "Frozen maps' gradient sums as one GEMM vs one GEMM per map", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.reshapeViews", "Reshapes as views vs libnd4j's copies", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.batchedMatmul", "Batched products as Java ops vs libnd4j's batched matmul", base, a0, ex, o, ubase, ge, us, uo, uopt);
        switchAB("proper.javaKernels", "Activations, rows, softmax and batched products as Java ops vs ND4J's ops", base, a0, ex, o, ubase, ge, us, uo, uopt);
        System.out.printf("load after=%s%n", loadAvg());
    }

    /**
     * Users/s with each path in fresh JVMs of its own, alternately, three pairs (UserPaths#isolated): the same users,
     * steps and warm-up as the in-JVM measurement above, without either path's JIT profile in the other's JVM.
     */
    static void usersIsolated(int d, int layers, int users, int steps, int perUser, int userLen, int vocab) {
        int pairs = 3, reps = 5;
        try {
            double[][] t = UserPaths.isolated(pairs, reps, d, layers, users, steps, perUser, userLen, vocab);
            double[] ratios = new double[pairs];
            for (int p = 0; p < pairs; p++) ratios[p] = t[1][p] / t[0][p];
            double b = UserPaths.median(t[0]), o = UserPaths.median(t[1]);
            System.out.printf("Users, each path in JVMs of its own (%d alternating pairs, each JVM's median of %d calls): batched median %.2f s = %.1f users/s; "
                            + "one-by-one median %.2f s = %.1f users/s; speed-up %.1fx (pairs: %s)%n", pairs, reps, b, users / b, o, users / o,
                    o / b, rounded(ratios));
            System.out.printf("  JVMs' medians (s): batched %s; one by one %s%n", rounded(t[0]), rounded(t[1]));
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException("Cannot run the isolated user-path JVMs: " + e.getMessage(), e);
        }
    }

    /**
     * A switch of the model core on (the default) vs off, by the system property it reads when it builds a graph
     * (-Dproper.skipFrozenGradients: FrozenWeightGradients; -Dproper.closedFormGradients: ClosedFormGradients;
     * -Dproper.topLayerWindow: ModelGraph's window; -Dproper.frozenPrefix: FrozenPrefix, read per user call;
     * -Dproper.gateByMatmul: LoraMath.mixtureDelta; -Dproper.sumGradients: SumGradients; -Dproper.sharedInputGradients: SharedInputGradients; -Dproper.batchedMatmul: BatchedMatmul;
     * -Dproper.javaKernels: every JavaKernels op) or a session
     * (-Dproper.reshapeViews: ModelSession) or a batch (-Dproper.headAtLossRowsOnly: Batch.headRows), interleaved in this JVM: fresh graphs per variant and
     * repetition (the dropped ones collected first, so that neither variant pays for the other's native memory),
     * medians of 5. The users' one-by-one path is timed as well, so that a switch that speeds the batched path at the other's
     * expense shows.
     */
    static void switchAB(String property, String label, BaseModel base, LoraAdapter a0, List<Example> ex, TrainOptions o,
                         BaseModel ubase, GroupExperts ge, List<UserData> us, UserOptions uo, TrainOptions uopt) {
        int reps = 5;
        double[][] step = new double[2][reps], users = new double[2][reps], single = new double[2][reps];
        for (int rep = 0; rep < reps; rep++)
            for (int v = 0; v < 2; v++) {
                System.setProperty(property, String.valueOf(v == 0));
                LoraTrainer.releaseGraphs();
                System.gc();
                LoraTrainer.train(base, a0, ex, o.withSteps(1));                  // builds this variant's graphs
                UserTrainer.trainBatched(ubase, ge, us, uo, uopt.withSteps(1));
                UserTrainer.trainOneByOne(ubase, ge, us.subList(0, 1), uo, uopt.withSteps(1));
                long t0 = System.nanoTime();
                LoraTrainer.train(base, a0, ex, o.withSteps(6));
                long t1 = System.nanoTime();
                UserTrainer.trainBatched(ubase, ge, us, uo, uopt);
                long t2 = System.nanoTime();
                UserTrainer.trainOneByOne(ubase, ge, us, uo, uopt);
                step[v][rep] = (t1 - t0) / 1e6 / 6;
                users[v][rep] = (t2 - t1) / 1e9;
                single[v][rep] = (System.nanoTime() - t2) / 1e9;
            }
        System.clearProperty(property);
        LoraTrainer.releaseGraphs();
        for (double[] a : step) Arrays.sort(a);
        for (double[] a : users) Arrays.sort(a);
        for (double[] a : single) Arrays.sort(a);
        int m = reps / 2;
        System.out.printf("%s (interleaved, medians of %d): LoRA step %.0f vs %.0f ms (%.2fx); batched users %.2f vs %.2f s "
                        + "(%.2fx); users one by one %.2f vs %.2f s (%.2fx)%n", label, reps, step[0][m], step[1][m], step[1][m] / step[0][m],
                users[0][m], users[1][m], users[1][m] / users[0][m], single[0][m], single[1][m], single[1][m] / single[0][m]);
        System.out.printf("  sorted runs: LoRA step ms on %s off %s; batched users s on %s off %s; one by one s on %s off %s%n",
                rounded(step[0]), rounded(step[1]), rounded(users[0]), rounded(users[1]), rounded(single[0]), rounded(single[1]));
    }

    static String rounded(double[] xs) {
        return Arrays.toString(Arrays.stream(xs).map(x -> Math.round(x * 100) / 100.0).toArray());
    }

    /** {median GFLOP/s wall-clock, median GFLOP per CPU-second of this thread}. */
    static double[] gemm(int n, int iters) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n), c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 5; i++) a.mmul(b, c);
        double[] t = new double[iters], ct = new double[iters];
        for (int i = 0; i < iters; i++) {
            long c0 = cpu(), t0 = System.nanoTime();
            a.mmul(b, c);
            t[i] = (System.nanoTime() - t0) / 1e9;
            ct[i] = (cpu() - c0) / 1e9;
        }
        Arrays.sort(t);
        Arrays.sort(ct);
        return new double[]{2.0 * n * n * n / t[iters / 2] / 1e9, 2.0 * n * n * n / ct[iters / 2] / 1e9};
    }

    /** CPU time of this thread (ND4J runs ops on the calling thread with OMP_NUM_THREADS=1), ns. */
    static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static final float[][] CENTROIDS = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

    /** The bench's K = 3 group experts (LoRA r = 8 on the FFN) with the user-aware router over 3 one-hot centroids. */
    public static GroupExperts benchExperts(ModelConfig cfg) {
        return GroupExperts.init(LoraSpec.ffn(8, 16), cfg, CENTROIDS, 1.0, 3);
    }

    /** The bench's users: user u near centroid u mod 3, {@link #randomExamples} of userLen tokens each (seeded). */
    public static List<UserData> benchUsers(int users, int perUser, int userLen) {
        List<UserData> us = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int u = 0; u < users; u++) {
            float[] e = CENTROIDS[u % 3].clone();
            e[0] += (float) r.nextDouble() * 0.1f;
            us.add(new UserData("user" + u, e, randomExamples(perUser, userLen, 100 + u), List.of()));
        }
        return us;
    }

    /** The bench's user-stage options: steps × batch 4. */
    public static TrainOptions benchUserOptions(int steps) {
        return TrainOptions.defaults().withSteps(steps).withBatchSize(4);
    }

    /** n examples of len tokens: 3/4 prompt, the rest ({@link #answerTokens}) answer ending in EOS; random printable bytes. */
    public static List<Example> randomExamples(int n, int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] p = new int[len - answerTokens(len)], a = new int[answerTokens(len)];
            for (int j = 0; j < p.length; j++) p[j] = 32 + r.nextInt(90);
            for (int j = 0; j < a.length; j++) a[j] = 32 + r.nextInt(90);
            a[a.length - 1] = ByteTokenizer.EOS;
            out.add(new Example("u", p, a));
        }
        return out;
    }

    /** Answer tokens of a {@link #randomExamples} example of len tokens: its loss positions, the rows of the LM head. */
    public static int answerTokens(int len) {
        return len - len * 3 / 4;
    }

    static long peakRssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static String loadAvg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static int arg(String[] a, int i, int def) {
        return a.length > i ? Integer.parseInt(a[i]) : def;
    }
}
