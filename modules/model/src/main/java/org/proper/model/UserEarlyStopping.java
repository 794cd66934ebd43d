package org.proper.model;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Early stopping of stacked user adapters, each user on its own: user u's dev loss (mean answer-token CE over its dev
 * examples) and its own patience. A user whose patience runs out stops — its rows leave the training batches and
 * its best adapter is put back at the end — while the others go on; training ends when every user has stopped. Users
 * without dev examples never stop. Because a user's rows only ever touch its own adapter, each user stops at the step
 * and keeps the adapter it would one by one.
 */
final class UserEarlyStopping implements TrainLoop.DevCheck {
    /** Builds a batch of equal rows per user (null rows are padding) with each row's stacked-adapter index. */
    interface BatchBuilder {
        Batch build(List<Example> rows, List<Integer> userIdx);
    }

    private final List<UserData> users;
    private final List<UserAdapter> templates;
    private final BatchBuilder builder;
    private final int rowsPerUser;
    private final Patience[] patience;
    private final boolean[] stopped;
    private final UserAdapter[] best;
    private final List<List<Double>> devLoss = new ArrayList<>();

    /** {@code users.get(u)} trains in stacked slot u, from adapter {@code templates.get(u)}. */
    UserEarlyStopping(List<UserData> users, List<UserAdapter> templates, int patience, int rowsPerUser, BatchBuilder builder) {
        this.users = users;
        this.templates = templates;
        this.builder = builder;
        this.rowsPerUser = rowsPerUser;
        int n = users.size();
        this.patience = new Patience[n];
        this.stopped = new boolean[n];
        this.best = new UserAdapter[n];
        for (int u = 0; u < n; u++) {
            this.patience[u] = new Patience(patience);
            devLoss.add(new ArrayList<>());
        }
    }

    /** Whether user u still trains. */
    boolean active(int u) {
        return !stopped[u];
    }

    /** User u's dev loss per evaluation. */
    List<Double> devLoss(int u) {
        return devLoss.get(u);
    }

    @Override
    public boolean stopAfterEval(ModelGraph g) {
        double[] loss = devLosses(g);
        boolean all = true;
        for (int u = 0; u < users.size(); u++) {
            if (!stopped[u] && !users.get(u).dev().isEmpty()) {
                devLoss.get(u).add(loss[u]);
                if (patience[u].improved(loss[u])) {
                    if (patience[u].keepsBest()) best[u] = g.readUser(u, templates.get(u));
                } else if (patience[u].exhausted()) {
                    stopped[u] = true;
                }
            }
            all &= stopped[u];
        }
        return all;
    }

    @Override
    public void restoreBest(ModelGraph g) {
        for (int u = 0; u < users.size(); u++) if (best[u] != null) g.writeUser(u, best[u]);
    }

    /** Mean answer-token CE of each active user's dev examples, in chunks of rowsPerUser rows per user. */
    private double[] devLosses(ModelGraph g) {
        int n = users.size(), most = 0;
        for (int u = 0; u < n; u++) if (!stopped[u]) most = Math.max(most, users.get(u).dev().size());
        double[] sum = new double[n];
        long[] tokens = new long[n];
        for (int off = 0; off < most; off += rowsPerUser) {
            List<Example> rows = new ArrayList<>();
            List<Integer> idx = new ArrayList<>();
            for (int u = 0; u < n; u++) {
                List<Example> dev = users.get(u).dev();
                for (int i = off; i < off + rowsPerUser; i++) {
                    rows.add(!stopped[u] && i < dev.size() ? dev.get(i) : null);
                    idx.add(u);
                }
            }
            Batch b = builder.build(rows, idx);
            INDArray tl = g.sd.output(g.feed(b), ModelGraph.TOKEN_LOSS).get(ModelGraph.TOKEN_LOSS);   // [B,T]
            for (int i = 0; i < b.rows; i++)
                for (int t = 0; t < b.seqLen; t++)
                    if (b.weights[i * b.seqLen + t] != 0) {
                        sum[b.userIdx[i]] += tl.getDouble(i, t);
                        tokens[b.userIdx[i]]++;
                    }
        }
        double[] mean = new double[n];
        for (int u = 0; u < n; u++) mean[u] = tokens[u] == 0 ? Double.NaN : sum[u] / tokens[u];
        return mean;
    }
}
