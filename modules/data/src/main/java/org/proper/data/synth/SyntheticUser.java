package org.proper.data.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One synthetic user as a pure function of (options, user index): planted group, Pareto history length and the
 * user's n+2 items in time order (n profile items, then the dev query, then the test query; as in LaMP, the test
 * profile is the dev profile plus the dev query's item).
 */
final class SyntheticUser {

    static final long DAY_MS = 86_400_000L;
    static final long START_MS = 1_577_836_800_000L; // 2020-01-01T00:00:00Z

    final String userId;
    final int group;
    final int historyLength;
    /** n + 2 items; each has "id", "date", the answer field and the input field. */
    final List<Map<String, String>> items;

    private SyntheticUser(String userId, int group, int historyLength, List<Map<String, String>> items) {
        this.userId = userId;
        this.group = group;
        this.historyLength = historyLength;
        this.items = items;
    }

    static String userId(long index) {
        return String.format("s%07d", index);
    }

    static SyntheticUser of(SyntheticOptions o, long index, GroupModel[] groups) {
        SplittableRandom rng = new SplittableRandom(mix(o.seed(), index));
        int group = (int) Math.floorMod(mix(o.seed() ^ 0x5DEECE66DL, index), (long) o.groups());
        int n = paretoLength(rng, o);
        GroupModel gm = groups[group];
        UserTaste taste = new UserTaste(o, gm, rng);
        List<Map<String, String>> items = new ArrayList<>(n + 2);
        String id = userId(index);
        long t = START_MS + rng.nextLong(365) * DAY_MS;
        for (int k = 0; k < n + 2; k++) {
            t += (1 + rng.nextLong(20)) * DAY_MS;
            Map<String, String> item = new LinkedHashMap<>();
            item.put("id", id + "-" + k);
            taste.fill(item, rng);
            item.put("date", java.time.Instant.ofEpochMilli(t).toString().substring(0, 10));
            items.add(item);
        }
        return new SyntheticUser(id, group, n, items);
    }

    /** Pareto(x_m = minHistory, alpha) by inversion, capped at maxHistory. */
    static int paretoLength(SplittableRandom rng, SyntheticOptions o) {
        double u = 1.0 - rng.nextDouble(); // (0, 1]
        double x = o.minHistory() / Math.pow(u, 1.0 / o.paretoAlpha());
        return (int) Math.min(o.maxHistory(), Math.floor(x));
    }

    /** SplitMix64 finalizer of (seed, index): independent streams per user, whatever the partitioning. */
    static long mix(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The user's preferences: the group's, shifted by the user's own idiosyncrasy. */
    static final class UserTaste {
        private final SyntheticOptions o;
        private final GroupModel g;
        private final double[] labelProbs;   // tagging
        private final double ratingBias;     // rating
        private final String signature;      // generation
        private final boolean lowerCase;     // generation

        UserTaste(SyntheticOptions o, GroupModel g, SplittableRandom rng) {
            this.o = o;
            this.g = g;
            int k = Vocabulary.TAGS.size();
            double[] logits = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                logits[i] = o.groupStrength() * g.tagLogits[i] + o.userStrength() * gaussian(rng);
                max = Math.max(max, logits[i]);
            }
            double sum = 0;
            labelProbs = new double[k];
            for (int i = 0; i < k; i++) {
                labelProbs[i] = Math.exp(logits[i] - max);
                sum += labelProbs[i];
            }
            for (int i = 0; i < k; i++) {
                labelProbs[i] /= sum;
            }
            ratingBias = 0.4 * o.groupStrength() * g.ratingBias + o.userStrength() * 0.5 * gaussian(rng);
            signature = rng.nextDouble() < Math.min(1, 0.5 * o.userStrength())
                    ? Vocabulary.SIGNATURES.get(rng.nextInt(Vocabulary.SIGNATURES.size())) : "";
            lowerCase = rng.nextBoolean();
        }

        void fill(Map<String, String> item, SplittableRandom rng) {
            switch (o.task()) {
                case TAGGING -> tagging(item, rng);
                case RATING -> rating(item, rng);
                case GENERATION -> generation(item, rng);
            }
        }

        /** A short phrase: one keyword of the label, one of the label or (half the time) a decoy label, fillers. */
        private void tagging(Map<String, String> item, SplittableRandom rng) {
            int label = sample(labelProbs, rng);
            int decoy = rng.nextDouble() < 0.5 ? label : rng.nextInt(Vocabulary.TAGS.size());
            List<String> words = new ArrayList<>();
            words.add(pick(Vocabulary.KEYWORDS.get(label), rng));
            words.add(pick(Vocabulary.KEYWORDS.get(decoy), rng));
            int fillers = 1 + rng.nextInt(3);
            for (int i = 0; i < fillers; i++) {
                words.add(pick(Vocabulary.FILLERS, rng));
            }
            shuffle(words, rng);
            item.put("text", String.join(" ", words));
            item.put("tag", Vocabulary.TAGS.get(label));
        }

        /** A review whose sentiment words follow the item's quality; the rating adds group and user bias. */
        private void rating(Map<String, String> item, SplittableRandom rng) {
            int quality = 1 + rng.nextInt(5);
            List<String> sentiment = Vocabulary.SENTIMENT.get(quality - 1);
            String text = "the " + pick(Vocabulary.PRODUCTS, rng) + " is " + pick(sentiment, rng) + " and "
                    + pick(sentiment, rng) + ", " + pick(Vocabulary.FILLERS, rng) + " " + pick(Vocabulary.FILLERS, rng);
            long score = Math.round(quality + ratingBias + 0.3 * gaussian(rng));
            item.put("text", text);
            item.put("score", String.valueOf(Math.max(1, Math.min(5, score))));
        }

        /** A description of keywords; the title phrases them in the group's style with the user's quirks. */
        private void generation(Map<String, String> item, SplittableRandom rng) {
            List<String> topic = Vocabulary.KEYWORDS.get(rng.nextInt(Vocabulary.KEYWORDS.size()));
            String k1 = pick(topic, rng), k2 = pick(topic, rng);
            String verb = pick(Vocabulary.VERBS, rng);
            String text = "this change touches the " + k1 + " and the " + k2 + " in the " + pick(Vocabulary.FILLERS, rng)
                    + " module; we " + verb + " it";
            String title = String.format(g.titleStyle, verb, k1, k2);
            if (!signature.isEmpty()) {
                title = title + " " + signature;
            }
            title = lowerCase ? title.toLowerCase(java.util.Locale.ROOT)
                    : Character.toUpperCase(title.charAt(0)) + title.substring(1);
            item.put("text", text);
            item.put("title", title);
        }
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    static int sample(double[] probs, SplittableRandom rng) {
        double r = rng.nextDouble(), acc = 0;
        for (int i = 0; i < probs.length; i++) {
            acc += probs[i];
            if (r < acc) {
                return i;
            }
        }
        return probs.length - 1;
    }

    static String pick(List<String> xs, SplittableRandom rng) {
        return xs.get(rng.nextInt(xs.size()));
    }

    static <T> void shuffle(List<T> xs, SplittableRandom rng) {
        for (int i = xs.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T tmp = xs.get(i);
            xs.set(i, xs.get(j));
            xs.set(j, tmp);
        }
    }
}
