package org.proper.model.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserOptions;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;

/**
 * The user stage's two paths on {@link ModelBench}'s users: {@link UserTrainer#trainBatched} (U users in one graph) and
 * {@link UserTrainer#trainOneByOne} (a graph run per user), their warm-up, and each path timed in a JVM of its own.
 * <p>
 * Warm-up: a path is run until its graphs have executed at least U × steps training steps (and twice at least), so
 * that both paths give the JIT the same number of graph executions before they are timed. One call one by one runs U
 * × steps of them, a batched call only steps; one call of each, as before, left the batched path's Java code (the
 * vector kernels, the session) still being compiled during its timed calls (scratch timings: ~790 ms for its first
 * calls, ~650 ms once compiled).
 * <p>
 * In a JVM of its own, a path's code is compiled on its own profile, as on an executor that runs only one of them;
 * in one JVM, whichever path runs second finds methods compiled for the other's array sizes and branches.
 */
public final class UserPaths {
    static final String RESULT = "UserPaths seconds:";

    private UserPaths() {
    }

    /** The bench's users, experts, base model and options for one configuration ({@link ModelBench}, OpProfile). */
    public record Setup(BaseModel base, GroupExperts experts, List<UserData> users, UserOptions userOptions, TrainOptions options) {
        public static Setup of(int d, int layers, int users, int steps, int perUser, int userLen, int vocab) {
            ModelConfig cfg = ModelConfig.gpt2(d, layers, Math.max(1, d / 32), 4 * d, Math.max(64, userLen)).withVocabSize(vocab);
            return new Setup(BaseModel.init(cfg, 2), ModelBench.benchExperts(cfg), ModelBench.benchUsers(users, perUser, userLen),
                    UserOptions.defaults(), ModelBench.benchUserOptions(steps));
        }

        /** One call of a path on all users, in seconds. */
        public double time(boolean batched) {
            long t0 = System.nanoTime();
            if (batched) UserTrainer.trainBatched(base, experts, users, userOptions, options);
            else UserTrainer.trainOneByOne(base, experts, users, userOptions, options);
            return (System.nanoTime() - t0) / 1e9;
        }

        /** Runs a path until its graphs have executed ≥ U × steps training steps, and at least twice; returns the calls. */
        public int warmUp(boolean batched) {
            int calls = 0;
            for (long runs = 0; calls < 2 || runs < (long) users.size() * options.steps(); calls++) {
                time(batched);
                runs += batched ? options.steps() : (long) users.size() * options.steps();
            }
            return calls;
        }
    }

    /**
     * Child JVM: args path (batched | one-by-one), dModel, layers, users, steps, examplesPerUser, userSeqLen, vocab, reps.
     * Warms the path up, times reps calls and prints them on one line after {@link #RESULT}.
     */
    public static void main(String[] a) {
        if (a.length != 9 || !List.of("batched", "one-by-one").contains(a[0]))
            throw new IllegalArgumentException("Usage: UserPaths batched|one-by-one dModel layers users steps examplesPerUser userSeqLen vocab reps; got " + Arrays.toString(a));
        boolean batched = a[0].equals("batched");
        int[] n = Arrays.stream(a, 1, 9).mapToInt(Integer::parseInt).toArray();
        Setup s = Setup.of(n[0], n[1], n[2], n[3], n[4], n[5], n[6]);
        s.warmUp(batched);
        StringBuilder out = new StringBuilder(RESULT);
        for (int rep = 0; rep < n[7]; rep++) out.append(' ').append(s.time(batched));
        System.out.println(out);
    }

    /**
     * Each path in fresh JVMs, alternately (batched, one by one, batched, …), pairs times, each JVM with this one's
     * flags, classpath and environment: {batched seconds, one-by-one seconds}, each JVM's median of reps calls, in
     * order of the pairs.
     */
    static double[][] isolated(int pairs, int reps, int d, int layers, int users, int steps, int perUser, int userLen, int vocab)
            throws IOException, InterruptedException {
        double[][] out = new double[2][pairs];
        for (int p = 0; p < pairs; p++)
            for (int v = 0; v < 2; v++)
                out[v][p] = median(child(v == 0 ? "batched" : "one-by-one", reps, d, layers, users, steps, perUser, userLen, vocab));
        return out;
    }

    private static double[] child(String path, int reps, int... n) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), UserPaths.class.getName(), path));
        for (int x : n) cmd.add(String.valueOf(x));
        cmd.add(String.valueOf(reps));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
        }
        int rc = proc.waitFor();
        String result = lines.stream().filter(l -> l.startsWith(RESULT)).findFirst().orElse(null);
        if (rc != 0 || result == null)
            throw new IllegalStateException("UserPaths " + path + " exited " + rc + " without a result; its last lines: "
                    + lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        return Arrays.stream(result.substring(RESULT.length()).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
