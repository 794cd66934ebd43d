package org.proper.model.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.proper.model.graph.GraphCache;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserOptions;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;

/**
 * Developer benchmark: where the time of one user-stage training step goes, op by op (a SameDiff listener on the
 * cached training graph of {@link UserTrainer#trainBatched}). It prints the step's wall time with and without the
 * listener, the time inside ops, the ops that cost most (by op and output shape, and by op type), and the share of
 * op time that does not depend on any trainable variable: ops whose inputs are only base weights, experts, routers
 * and the batch, which give the same result for an example at every step (the most any caching of the frozen
 * prefix could save; with {@link org.proper.model.graph.FrozenPrefix} on, the default, the graph no longer computes most of them). Same model,
 * experts and users as {@link ModelBench}'s users section.
 * <p>
 * Args: [dModel=256] [layers=2] [users=32] [examplesPerUser=2] [userSeqLen=32] [steps=10]; users=1 profiles one by one.
 * Run with {@code BENCH_MAIN=org.proper.model.bench.OpProfile modules/model/run-bench.sh 256 2 32 2 32 10}.
 */
public final class OpProfile {
    private OpProfile() {
    }

    /** With -Dproper.opProfile.trace=true it also prints one step's ops in order, with their inputs' names and shapes. */
    static final String TRACE = "proper.opProfile.trace";

    public static void main(String[] args) {
        int d = arg(args, 0, 256), layers = arg(args, 1, 2), users = arg(args, 2, 32), perUser = arg(args, 3, 2);
        int userLen = arg(args, 4, 32), steps = arg(args, 5, 10);
        UserPaths.Setup setup = UserPaths.Setup.of(d, layers, users, steps, perUser, userLen, ByteTokenizer.VOCAB_SIZE);
        BaseModel base = setup.base();
        GroupExperts experts = setup.experts();
        List<UserData> us = setup.users();
        UserOptions uo = setup.userOptions();
        TrainOptions o = setup.options();
        UserTrainer.trainBatched(base, experts, us, uo, o.withSteps(2));               // builds and caches the graph
        List<ModelGraph> graphs = GraphCache.graphsOfThisThread();
        SameDiff sd = graphs.stream().filter(g -> !g.trainable().isEmpty()).reduce((a, b) -> b).orElseThrow().sd(); // the training graph
        double plain = stepMs(base, experts, us, uo, o);
        Timer timer = new Timer();
        sd.setListeners(timer);
        stepMs(base, experts, us, uo, o);                                              // warm-up with the listener
        timer.reset();
        double listened = stepMs(base, experts, us, uo, o);
        sd.setListeners();
        Map<String, long[]> byType = new HashMap<>();
        timer.byOp.forEach((k, v) -> {
            long[] a = byType.computeIfAbsent(k.substring(0, k.indexOf(' ')), x -> new long[2]);
            a[0] += v[0];
            a[1] += v[1];
        });
        System.out.printf("OpProfile d=%d L=%d: %d users x %d examples of %d tokens, batch %d, %d steps%n", d, layers, users, perUser,
                userLen, o.batchSize(), steps);
        System.out.printf("step %.1f ms (%.1f ms with the listener); inside ops %.1f ms in %d ops; outside ops (SameDiff's "
                        + "session, the feed, AdamW) %.1f ms%n", plain, listened, timer.total() / 1e6 / steps,
                timer.count() / steps, listened - timer.total() / 1e6 / steps);
        System.out.printf("adapter-independent ops (same result for an example at every step): %.1f ms in %d ops = %.0f%% of op time%n",
                timer.fixed[0] / 1e6 / steps, timer.fixed[1] / steps, 100.0 * timer.fixed[0] / timer.total());
        print("by op type", byType, 20, steps);
        print("by op and output shape", timer.byOp, 40, steps);
        if (Boolean.getBoolean(TRACE)) {
            System.out.println("one step, op by op (us, op, output shape <- inputs):");
            timer.trace.stream().limit(timer.count() / steps).forEach(System.out::println);
        }
    }

    private static double stepMs(BaseModel base, GroupExperts experts, List<UserData> us, UserOptions uo, TrainOptions o) {
        long t0 = System.nanoTime();
        UserTrainer.trainBatched(base, experts, us, uo, o);
        return (System.nanoTime() - t0) / 1e6 / o.steps();
    }

    private static void print(String title, Map<String, long[]> m, int limit, int steps) {
        System.out.println(title + " (ms per step, ops per step):");
        m.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(limit)
                .forEach(e -> System.out.printf("  %8.2f ms %4d x %s%n", e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps, e.getKey()));
    }

    /** Times every op; an op is adapter-independent when no input is a trainable variable or an output of a dependent op. */
    private static final class Timer extends BaseListener {
        final Map<String, long[]> byOp = new HashMap<>();
        final List<String> trace = new ArrayList<>();
        final long[] fixed = new long[2];
        private final Set<String> dependent = new HashSet<>();
        private long start;

        void reset() {
            byOp.clear();
            trace.clear();
            dependent.clear();
            fixed[0] = 0;
            fixed[1] = 0;
        }

        long total() {
            return byOp.values().stream().mapToLong(v -> v[0]).sum();
        }

        long count() {
            return byOp.values().stream().mapToLong(v -> v[1]).sum();
        }

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext ctx) {
            start = System.nanoTime();
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
            long dt = System.nanoTime() - start;
            String shape = outputs.length > 0 && outputs[0] != null ? java.util.Arrays.toString(outputs[0].shape()) : "";
            long[] v = byOp.computeIfAbsent(op.getOp().opName() + " " + shape, k -> new long[2]);
            v[0] += dt;
            v[1]++;
            if (Boolean.getBoolean(TRACE) && trace.size() < 10_000) {
                StringBuilder line = new StringBuilder(String.format("%8.0f %s %s %s <-", dt / 1e3, op.getName(), op.getOp().opName(), shape));
                for (int i = 0; i < ctx.numInputArguments(); i++)
                    line.append(' ').append(op.getInputsToOp().get(i)).append(java.util.Arrays.toString(ctx.getInputArray(i).shape()));
                trace.add(line.toString());
            }
            boolean dep = false;
            for (String in : op.getInputsToOp()) {
                SDVariable var = sd.getVariable(in);
                dep |= dependent.contains(in) || var != null && var.getVariableType() == VariableType.VARIABLE;
            }
            if (dep) {
                dependent.addAll(op.getOutputsOfOp());
            } else {
                fixed[0] += dt;
                fixed[1]++;
            }
        }
    }

    private static int arg(String[] a, int i, int def) {
        return a.length > i ? Integer.parseInt(a[i]) : def;
    }
}
