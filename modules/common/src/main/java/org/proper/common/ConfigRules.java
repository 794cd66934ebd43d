package org.proper.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException.WrongType;

/** What each key of conf/proper.conf may hold. Keys not listed here only need the type their default has. */
final class ConfigRules {

    /** Sections whose keys are free-form (not checked against the defaults). */
    static final Set<String> FREE_FORM = Set.of("proper.spark.conf");

    private interface Rule {
        /** @return null if fine, else what is allowed */
        String check(Config c, String path);
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        oneOf("proper.data.format", "lamp", "jsonl", "csv", "parquet");
        oneOf("proper.synthetic.task", "tagging", "rating", "generation");
        oneOf("proper.model.family", "gpt2", "llama");
        oneOf("proper.train.optimizer", "adamw", "adam");
        oneOf("proper.train.schedule", "cosine", "linear", "constant");
        oneOf("proper.embed.method", "tfidf-pca", "word2vec", "hidden-state");
        oneOf("proper.cluster.algorithm", "kmeans", "bisecting-kmeans", "gmm");
        oneOf("proper.ablation.routing", "soft", "hard");
        oneOf("proper.eval.split", "dev", "test");
        nonEmpty("proper.warehouse");
        nonEmpty("proper.spark.master");
        nonEmpty("proper.data.input");
        intRange("proper.spark.shuffle-partitions", 1, 100_000);
        intRange("proper.data.max-text-chars", 1, 10_000_000);
        intRange("proper.synthetic.users", 1, 1_000_000_000);
        intRange("proper.synthetic.groups", 1, 10_000);
        intRange("proper.synthetic.min-history", 1, 100_000);
        intRange("proper.synthetic.max-history", 1, 100_000);
        doubleRange("proper.synthetic.pareto-alpha", 0.01, 100);
        intRange("proper.model.d-model", 8, 65_536);
        intRange("proper.model.layers", 1, 1_000);
        intRange("proper.model.heads", 1, 1_024);
        intRange("proper.model.kv-heads", 1, 1_024);
        intRange("proper.model.d-ffn", 8, 262_144);
        intRange("proper.model.max-seq-len", 8, 1_000_000);
        intRange("proper.model.pretrain-steps", 0, 10_000_000);
        intRange("proper.model.pretrain-batch", 1, 100_000);
        doubleRange("proper.model.pretrain-lr", 0, 10);
        intRange("proper.lora.rank", 1, 4_096);
        doubleRange("proper.lora.alpha", 1e-9, 1e6);
        intRange("proper.train.warmup-steps", 0, 10_000_000);
        doubleRange("proper.train.clip-norm", 0, 1e9);
        doubleRange("proper.train.weight-decay", 0, 10);
        intRange("proper.train.batch-size", 1, 100_000);
        intRange("proper.train.early-stopping-patience", 0, 1_000_000);
        intRange("proper.train.population.rounds", 0, 1_000_000);
        intRange("proper.train.population.local-steps", 1, 1_000_000);
        doubleRange("proper.train.population.lr", 0, 10);
        intRange("proper.train.groups.warm-start-steps", 0, 1_000_000);
        intRange("proper.train.groups.joint-rounds", 0, 1_000_000);
        intRange("proper.train.groups.joint-local-steps", 1, 1_000_000);
        doubleRange("proper.train.groups.lr", 0, 10);
        doubleRange("proper.train.groups.temperature", 1e-6, 1e6);
        doubleRange("proper.train.groups.lambda-diversity", 0, 1e6);
        doubleRange("proper.train.groups.lambda-balance", 0, 1e6);
        intRange("proper.train.users.rank", 1, 4_096);
        doubleRange("proper.train.users.alpha", 1e-9, 1e6);
        intRange("proper.train.users.steps", 0, 1_000_000);
        intRange("proper.train.users.batch-size", 1, 100_000);
        doubleRange("proper.train.users.lr", 0, 10);
        intRange("proper.train.users.min-history", 0, 1_000_000);
        doubleRange("proper.train.users.dev-fraction", 0, 0.9);
        intRange("proper.train.users.users-per-batch", 1, 100_000);
        intRange("proper.train.users.shards", 1, 1_000_000);
        intRange("proper.embed.dim", 1, 4_096);
        intRange("proper.embed.num-features", 2, 1 << 24);
        intRange("proper.cluster.k", 2, 100_000);
        intRange("proper.cluster.k-min", 2, 100_000);
        intRange("proper.cluster.k-max", 2, 100_000);
        doubleRange("proper.cluster.soft-temperature", 1e-9, 1e9);
        intRange("proper.eval.max-new-tokens", 1, 100_000);
        intRange("proper.eval.max-users", 0, Long.MAX_VALUE);
        intRange("proper.incremental.groups-cadence-days", 0, 100_000);
        doubleRange("proper.incremental.drift-threshold", 0, 1);
        RULES.put("proper.incremental.parent-run", (c, p) -> {
            String v = c.getString(p);
            return v.isEmpty() || v.matches("[A-Za-z0-9._-]{1,128}") ? null
                    : "\"\" (no parent), \"latest\" or a run id (1-128 letters, digits, '.', '_', '-')";
        });
        RULES.put("proper.lora.targets", (c, p) -> {
            List<String> allowed = List.of("ffn", "attn-q", "attn-v");
            List<String> v = c.getStringList(p);
            if (v.isEmpty()) return "a non-empty list of " + allowed;
            for (String t : v) if (!allowed.contains(t)) return "a list of " + allowed + " (got '" + t + "')";
            return null;
        });
    }

    private ConfigRules() {}

    private static void oneOf(String path, String... allowed) {
        List<String> list = List.of(allowed);
        RULES.put(path, (c, p) -> list.contains(c.getString(p)) ? null : "one of " + list);
    }

    private static void nonEmpty(String path) {
        RULES.put(path, (c, p) -> c.getString(p).isBlank() ? "a non-empty string" : null);
    }

    private static void intRange(String path, long min, long max) {
        RULES.put(path, (c, p) -> {
            long v = c.getLong(p);
            return v >= min && v <= max ? null : "an integer in [" + min + ", " + max + "]";
        });
    }

    private static void doubleRange(String path, double min, double max) {
        RULES.put(path, (c, p) -> {
            double v = c.getDouble(p);
            return v >= min && v <= max && !Double.isNaN(v) ? null : "a number in [" + min + ", " + max + "]";
        });
    }

    /** Checks every rule; throws naming the first bad key, its value and what is allowed. */
    static void check(Config config) {
        for (Map.Entry<String, Rule> e : RULES.entrySet()) {
            String path = e.getKey();
            String allowed;
            try {
                allowed = e.getValue().check(config, path);
            } catch (WrongType | NumberFormatException ex) {
                allowed = "a value of the right type (" + ex.getMessage() + ")";
            }
            if (allowed != null) {
                throw new ConfigException("Invalid value for " + path + ": '"
                        + config.getValue(path).unwrapped() + "'; expected " + allowed);
            }
        }
        if (config.getInt("proper.cluster.k-min") > config.getInt("proper.cluster.k-max")) {
            throw new ConfigException("Invalid value for proper.cluster.k-min: it is larger than proper.cluster.k-max");
        }
        if (config.getInt("proper.synthetic.min-history") > config.getInt("proper.synthetic.max-history")) {
            throw new ConfigException(
                    "Invalid value for proper.synthetic.min-history: it is larger than proper.synthetic.max-history");
        }
        if (config.getInt("proper.model.heads") % config.getInt("proper.model.kv-heads") != 0) {
            throw new ConfigException("Invalid value for proper.model.kv-heads: must divide proper.model.heads");
        }
        if (config.getInt("proper.model.d-model") % config.getInt("proper.model.heads") != 0) {
            throw new ConfigException("Invalid value for proper.model.heads: must divide proper.model.d-model");
        }
    }
}
