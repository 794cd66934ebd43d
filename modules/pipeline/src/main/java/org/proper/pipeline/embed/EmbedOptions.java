package org.proper.pipeline.embed;

import org.proper.common.ProperConfig;

/**
 * Options of the embed stage.
 *
 * @param method      embedding method: "tfidf-pca", "word2vec", "hidden-state" (given its base model with
 *                    {@link UserEmbedder#withMethod}), or another registered with {@link UserEmbedder#withMethod}
 * @param dim         embedding dimension (PCA components / Word2Vec vector size; at most the base model's d-model for
 *                    hidden-state, which keeps the mean hidden state as is when they are equal)
 * @param numFeatures hashing-trick buckets of HashingTF (tfidf-pca); PCA's covariance is numFeatures² on the driver
 * @param minCount    minimum token count to enter Word2Vec's vocabulary
 * @param maxIter     Word2Vec iterations
 * @param seed        random seed (Word2Vec)
 */
public record EmbedOptions(String method, int dim, int numFeatures, int minCount, int maxIter, long seed) {
    public EmbedOptions {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("Cannot embed users: embed.method is empty");
        }
        if (dim < 1 || dim > 4096) {
            throw new IllegalArgumentException("Cannot embed users: embed.dim must be in 1..4096, got " + dim);
        }
        if (numFeatures < 2 || numFeatures > 16384) {
            throw new IllegalArgumentException("Cannot embed users: embed.num-features must be in 2..16384 (PCA's covariance is num-features² doubles on the driver), got " + numFeatures);
        }
        if (UserEmbedder.TFIDF_PCA.equals(method) && dim > numFeatures) {
            throw new IllegalArgumentException("Cannot embed users: embed.dim " + dim + " exceeds embed.num-features " + numFeatures + " for tfidf-pca");
        }
        if (minCount < 0) {
            throw new IllegalArgumentException("Cannot embed users: embed.min-count must be >= 0, got " + minCount);
        }
        if (maxIter < 1) {
            throw new IllegalArgumentException("Cannot embed users: embed.max-iter must be >= 1, got " + maxIter);
        }
    }

    /** The embed stage's options from the configuration (proper.embed.*, seeded by proper.train.seed). */
    public static EmbedOptions from(ProperConfig c) {
        EmbedOptions d = of(c.getString("proper.embed.method"), c.getInt("proper.embed.dim"));
        return new EmbedOptions(d.method(), d.dim(), c.getInt("proper.embed.num-features"), d.minCount(), d.maxIter(),
                c.getLong("proper.train.seed"));
    }

    /** Defaults: 1024 hashing buckets, min count 2, one Word2Vec iteration, seed 42. */
    public static EmbedOptions of(String method, int dim) {
        return new EmbedOptions(method, dim, 1024, 2, 1, 42L);
    }

    public String describe() {
        return method + ", dim " + dim;
    }
}
