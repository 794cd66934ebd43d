package org.proper.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.graph.Batch;
import org.proper.model.graph.Batches;
import org.proper.model.graph.FrozenPrefix;
import org.proper.model.graph.GraphCache;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;
import org.proper.model.method.UserOptions;

/**
 * User stage of DESIGN §2: per-user LoRA ΔW_u with the LoRA-aware router β(u,x) = softmax(log g(u,x) + R_u A_u x) over
 * frozen experts and router. {@link #trainBatched} trains U users at once in one graph: stacked [U,…] parameters,
 * each row gathers its user's A/B/R, the loss is Σ_u (user u's mean answer CE), clipping is per user and Adam state is
 * per element — so each user's trajectory is exactly its one-by-one trajectory ({@link #trainOneByOne}).
 */
public final class UserTrainer {
    private UserTrainer() {
    }

    /** A user's trained adapter, its training loss per step and its dev loss per evaluation (empty without dev). */
    public record UserResult(UserAdapter adapter, List<Double> loss, List<Double> devLoss) implements java.io.Serializable {
    }

    /** Fresh adapters: LoRA seeded per user from options.seed(), R = 0 when the LoRA-aware router is used. */
    public static List<UserAdapter> initAdapters(BaseModel base, GroupExperts experts, List<UserData> users,
                                                 UserOptions uo, TrainOptions o) {
        List<UserAdapter> out = new ArrayList<>();
        int k = effectiveExperts(experts, uo) != null && !uo.fixedBeta() ? experts.k() : 0;
        for (UserData u : users)
            out.add(UserAdapter.init(u.userId(), uo.lora(), base.config(), k, EpochSampler.seedFor(o.seed(), u.userId())));
        return out;
    }

    static GroupExperts effectiveExperts(GroupExperts experts, UserOptions uo) {
        return uo.noGroupLevel() ? null : experts;
    }

    public static List<UserResult> trainBatched(BaseModel mergedBase, GroupExperts experts, List<UserData> users,
                                                UserOptions uo, TrainOptions o) {
        return trainBatched(mergedBase, experts, users, initAdapters(mergedBase, experts, users, uo, o), uo, o);
    }

    /**
     * Continues the given adapters (one per user, same order) for o.steps() steps, all users in one graph. With dev
     * examples and o.patience() > 0 each user stops early on its own dev loss and keeps its best adapter
     * ({@link UserEarlyStopping}).
     */
    public static List<UserResult> trainBatched(BaseModel mergedBase, GroupExperts experts, List<UserData> users,
                                                List<UserAdapter> start, UserOptions uo, TrainOptions o) {
        if (users.isEmpty()) return List.of();
        GroupExperts ex = effectiveExperts(experts, uo);
        int t = seqLen(mergedBase, users);
        GraphSpec spec = spec(ex, start, uo);
        boolean prefix = frozenPrefix(mergedBase.config(), spec, users, o, t);
        ModelGraph g = GraphCache.get(mergedBase, spec, o.dataType(), t, window(t, users), prefix);
        return trainInGraph(g, users, start, ex, t, o, prefix ? mergedBase : null);
    }

    public static List<UserResult> trainOneByOne(BaseModel mergedBase, GroupExperts experts, List<UserData> users,
                                                 UserOptions uo, TrainOptions o) {
        return trainOneByOne(mergedBase, experts, users, initAdapters(mergedBase, experts, users, uo, o), uo, o);
    }

    /** Same result as {@link #trainBatched}, one user at a time (one graph with U = 1, reused). */
    public static List<UserResult> trainOneByOne(BaseModel mergedBase, GroupExperts experts, List<UserData> users,
                                                 List<UserAdapter> start, UserOptions uo, TrainOptions o) {
        if (users.isEmpty()) return List.of();
        GroupExperts ex = effectiveExperts(experts, uo);
        int t = seqLen(mergedBase, users);
        GraphSpec spec = spec(ex, List.of(start.get(0)), uo);
        boolean prefix = frozenPrefix(mergedBase.config(), spec, users, o, t);                 // as batched would decide
        ModelGraph g = GraphCache.get(mergedBase, spec, o.dataType(), t, window(t, users), prefix);
        List<UserResult> res = new ArrayList<>();
        for (int u = 0; u < users.size(); u++) {
            g.writeUser(0, start.get(u));
            res.addAll(trainInGraph(g, List.of(users.get(u)), List.of(start.get(u)), ex, t, o, prefix ? mergedBase : null));
        }
        return res;
    }

    /**
     * Whether the users' graph takes layer 0's frozen outputs ({@link FrozenPrefix}): when the spec allows it and the
     * call draws each of the users' train and dev examples at least twice on average.
     */
    private static boolean frozenPrefix(ModelConfig c, GraphSpec spec, List<UserData> users, TrainOptions o, int t) {
        if (!FrozenPrefix.applies(c, spec)) return false;
        long uses = 0, examples = 0;
        for (UserData u : users) {
            uses += (long) o.steps() * Math.min(o.batchSize(), u.train().size());
            examples += u.train().size() + u.dev().size();
        }
        return FrozenPrefix.worthIt(c, uses, examples, t);
    }

    /**
     * Trains users.get(u) in the graph's stacked slot u, which already holds start.get(u); {@code prefixBase} is the
     * base whose frozen prefix the graph takes, or null.
     */
    private static List<UserResult> trainInGraph(ModelGraph g, List<UserData> users, List<UserAdapter> start,
                                                 GroupExperts ex, int t, TrainOptions o, BaseModel prefixBase) {
        if (prefixBase == null) return runInGraph(g, users, start, ex, t, o, null);
        return runInGraph(g, users, start, ex, t, o, new FrozenPrefix(prefixBase, o.dataType(), t, examples(users)));
    }

    /** The training loop of {@link #trainInGraph}, with the call's frozen prefix or null. */
    private static List<UserResult> runInGraph(ModelGraph g, List<UserData> users, List<UserAdapter> start,
                                               GroupExperts ex, int t, TrainOptions o, FrozenPrefix prefix) {
        int n = users.size();
        EpochSampler[] samplers = new EpochSampler[n];
        List<List<Double>> losses = new ArrayList<>();
        int rowsPerUser = 1;
        for (int u = 0; u < n; u++) {
            UserData ud = users.get(u);
            samplers[u] = new EpochSampler(ud.train().size(), EpochSampler.seedFor(o.seed(), ud.userId()));
            losses.add(new ArrayList<>());
            rowsPerUser = Math.max(rowsPerUser, Math.min(o.batchSize(), ud.train().size()));
        }
        int perUser = rowsPerUser;
        UserEarlyStopping stopping = new UserEarlyStopping(users, start, o.patience(), perUser,
                perUserRows -> userBatch(perUserRows, perUser, users, ex, t, prefix));
        boolean anyDev = users.stream().anyMatch(u -> !u.dev().isEmpty());
        TrainLoop.run(g, step -> {
            List<List<Example>> perUserRows = new ArrayList<>(n);
            for (int u = 0; u < n; u++)
                perUserRows.add(stopping.active(u) ? EpochSampler.pick(users.get(u).train(), samplers[u].next(o.batchSize())) : List.of());
            return userBatch(perUserRows, perUser, users, ex, t, prefix);
        }, anyDev ? stopping : null, o, (step, b, outs) -> perUserLoss(b, outs, losses, stopping));
        List<UserResult> res = new ArrayList<>();
        for (int u = 0; u < n; u++)
            res.add(new UserResult(g.readUser(u, start.get(u)), losses.get(u), stopping.devLoss(u)));
        return res;
    }

    private static GraphSpec spec(GroupExperts ex, List<UserAdapter> start, UserOptions uo) {
        return new GraphSpec(false, null, false, ex, false, uo.hardRouting(), 0, 0, start, true, uo.fixedBeta());
    }

    public static int seqLen(BaseModel base, List<UserData> users) {
        return Batch.seqLenFor(examples(users), base.config().maxSeqLen());
    }

    /** The top layer's rows per example for these users' batches at seqLen t ({@link Batch#windowFor}). */
    public static int window(int t, List<UserData> users) {
        return Batch.windowFor(examples(users), t);
    }

    private static List<Example> examples(List<UserData> users) {
        List<Example> all = new ArrayList<>();
        for (UserData u : users) {
            all.addAll(u.train());
            all.addAll(u.dev());
        }
        return all;
    }

    /**
     * User u's examples as rows [u·rowsPerUser, (u+1)·rowsPerUser) of one batch, the same number of rows per user as the
     * stacked graph needs: users with fewer examples get padding rows, which weigh 0.
     */
    private static Batch userBatch(List<List<Example>> perUserRows, int rowsPerUser, List<UserData> users, GroupExperts ex, int t,
                                   FrozenPrefix prefix) {
        int n = perUserRows.size() * rowsPerUser;
        List<Example> rows = new ArrayList<>(n);
        for (List<Example> mine : perUserRows)
            for (int i = 0; i < rowsPerUser; i++) rows.add(i < mine.size() ? mine.get(i) : null);
        int[] ui = new int[n], hard = ex == null ? null : new int[n];
        float[][] emb = ex == null ? null : new float[n][];
        for (int i = 0; i < n; i++) {
            ui[i] = i / rowsPerUser;
            if (ex != null) {
                emb[i] = users.get(ui[i]).embedding();
                if (emb[i] == null) throw new IllegalArgumentException("Cannot route user " + users.get(ui[i]).userId() + ": no embedding");
                hard[i] = ex.nearest(emb[i]);
            }
        }
        Batch b = Batch.of(rows, t, Batches.PAD, ui, ui, emb, hard);
        if (prefix != null) b.setPrefix(prefix.rows(rows));
        return b;
    }

    /** Appends each active user's loss of this step (Σ weight · token CE over its rows). */
    private static void perUserLoss(Batch b, Map<String, INDArray> outs, List<List<Double>> losses, UserEarlyStopping stopping) {
        double[] sum = new double[losses.size()];
        b.forEachAnswerToken(outs.get(ModelGraph.TOKEN_LOSS), (u, w, ce) -> sum[u] += w * ce);
        for (int u = 0; u < sum.length; u++) if (stopping.active(u)) losses.get(u).add(sum[u]);
    }
}
