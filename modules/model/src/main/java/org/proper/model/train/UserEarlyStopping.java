package org.proper.model.train;

import java.util.ArrayList;
import java.util.List;

import org.proper.model.graph.Batch;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.Example;
import org.proper.model.method.UserAdapter;


/**
 * Early stopping of stacked user adapters, each user on its own: user u's dev loss (mean answer-token CE over its dev
 * examples) and its own patience. A user whose patience runs out stops — its rows leave the training batches and
 * its best adapter is put back at the end — while the others go on; training ends when every user has stopped. Users
 * without dev examples never stop. Because a user's rows only ever touch its own adapter, each user stops at the step
 * and keeps the adapter it would one by one.
 */
final class UserEarlyStopping implements TrainLoop.DevCheck {
    /** Builds the batch in which user u's examples (a list per user, in slot order) fill user u's rows. */
    interface BatchBuilder {
        Batch build(List<List<Example>> perUserRows);
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
            List<List<Example>> perUserRows = new ArrayList<>(n);
            for (int u = 0; u < n; u++) {
                List<Example> dev = users.get(u).dev();
                perUserRows.add(stopped[u] || off >= dev.size() ? List.of() : dev.subList(off, Math.min(dev.size(), off + rowsPerUser)));
            }
            Batch b = builder.build(perUserRows);
            b.forEachAnswerToken(g.sd().output(g.feed(b), ModelGraph.TOKEN_LOSS).get(ModelGraph.TOKEN_LOSS), (u, w, ce) -> {
                sum[u] += ce;
                tokens[u]++;
            });
        }
        double[] mean = new double[n];
        for (int u = 0; u < n; u++) mean[u] = tokens[u] == 0 ? Double.NaN : sum[u] / tokens[u];
        return mean;
    }
}
