package org.proper.data.synth;

import java.io.Serializable;
import java.util.SplittableRandom;

/** The planted parameters of one latent group, a pure function of (seed, group id). */
final class GroupModel implements Serializable {

    final int id;
    /** Tagging: label preference logits (standard normal, one strongly favoured label). */
    final double[] tagLogits;
    /** Rating: bias added to every rating of the group's users, in [-1, 1]. */
    final double ratingBias;
    /** Generation: the group's title phrasing. */
    final String titleStyle;

    private GroupModel(int id, double[] tagLogits, double ratingBias, String titleStyle) {
        this.id = id;
        this.tagLogits = tagLogits;
        this.ratingBias = ratingBias;
        this.titleStyle = titleStyle;
    }

    static GroupModel of(long seed, int g, int groups) {
        SplittableRandom rng = new SplittableRandom(SyntheticUser.mix(seed ^ 0x6A09E667F3BCC909L, g));
        int k = Vocabulary.TAGS.size();
        double[] logits = new double[k];
        for (int i = 0; i < k; i++) {
            logits[i] = SyntheticUser.gaussian(rng);
        }
        logits[g % k] += 1.5; // each group has its own favourite label (distinct while groups <= labels)
        double bias = groups == 1 ? 0 : -1 + 2.0 * g / (groups - 1);
        String style = Vocabulary.STYLES.get(g % Vocabulary.STYLES.size());
        return new GroupModel(g, logits, bias, style);
    }

    static GroupModel[] all(long seed, int groups) {
        GroupModel[] out = new GroupModel[groups];
        for (int g = 0; g < groups; g++) {
            out[g] = of(seed, g, groups);
        }
        return out;
    }
}
