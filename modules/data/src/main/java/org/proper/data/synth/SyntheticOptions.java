package org.proper.data.synth;

/**
 * Options of {@link SyntheticGenerator}; validated here, errors name the option.
 *
 * @param users          number of users
 * @param groups         number of planted latent groups G
 * @param task           tagging (default), rating or generation
 * @param seed           everything is a pure function of (seed, user index): same seed, same files
 * @param paretoAlpha    shape of the Pareto distribution of history lengths (smaller = heavier tail)
 * @param minHistory     smallest profile length (the Pareto scale x_m), at least 1
 * @param maxHistory     largest profile length (the tail is capped here)
 * @param groupStrength  how strongly the group shifts a user's label prior / rating / phrasing (0 = no groups)
 * @param userStrength   how strongly each user's own idiosyncrasy shifts it further
 * @param partitions     Spark partitions (and part files per output); 0 = one per ~50,000 users, at least 2
 */
public record SyntheticOptions(long users, int groups, SyntheticTask task, long seed, double paretoAlpha,
                               int minHistory, int maxHistory, double groupStrength, double userStrength,
                               int partitions) implements java.io.Serializable {

    public SyntheticOptions {
        if (users < 1) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'users' must be at least 1, got " + users);
        }
        if (groups < 1 || groups > 1000) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'groups' must be in [1, 1000], got " + groups);
        }
        if (task == null) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'task' is missing");
        }
        if (!(paretoAlpha > 0) || Double.isInfinite(paretoAlpha)) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'paretoAlpha' must be positive, got " + paretoAlpha);
        }
        if (minHistory < 1) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'minHistory' must be at least 1, got " + minHistory);
        }
        if (maxHistory < minHistory) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'maxHistory' (" + maxHistory
                    + ") must be at least 'minHistory' (" + minHistory + ")");
        }
        if (groupStrength < 0 || userStrength < 0 || Double.isNaN(groupStrength) || Double.isNaN(userStrength)) {
            throw new IllegalArgumentException("Cannot generate synthetic users: options 'groupStrength' and 'userStrength' "
                    + "must be non-negative, got " + groupStrength + " and " + userStrength);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("Cannot generate synthetic users: option 'partitions' must be >= 0, got " + partitions);
        }
    }

    /** Defaults: 4 groups, tagging, Pareto alpha 1.2 over [3, 200] items, group strength 2.5, user strength 1.0. */
    public static SyntheticOptions defaults(long users, long seed) {
        return new SyntheticOptions(users, 4, SyntheticTask.TAGGING, seed, 1.2, 3, 200, 2.5, 1.0, 0);
    }

    public SyntheticOptions withTask(SyntheticTask t) {
        return new SyntheticOptions(users, groups, t, seed, paretoAlpha, minHistory, maxHistory, groupStrength, userStrength, partitions);
    }

    public SyntheticOptions withGroups(int g) {
        return new SyntheticOptions(users, g, task, seed, paretoAlpha, minHistory, maxHistory, groupStrength, userStrength, partitions);
    }

    public SyntheticOptions withPartitions(int p) {
        return new SyntheticOptions(users, groups, task, seed, paretoAlpha, minHistory, maxHistory, groupStrength, userStrength, p);
    }

    public SyntheticOptions withHistory(double alpha, int min, int max) {
        return new SyntheticOptions(users, groups, task, seed, alpha, min, max, groupStrength, userStrength, partitions);
    }

    int effectivePartitions() {
        return partitions > 0 ? partitions : (int) Math.max(2, Math.min(10_000, users / 50_000 + 1));
    }
}
