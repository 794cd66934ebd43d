package org.proper.pipeline.train;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

import org.proper.common.ProperConfig;
import org.proper.eval.metrics.TaskSpec;
import org.proper.model.io.HfTokenizer;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.Family;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tokenizer;
import org.proper.model.method.GroupOptions;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserOptions;
import org.proper.model.train.TrainOptions;
import org.proper.pipeline.evaluate.TaskSpecs;

/** Maps the configuration (conf/proper.conf) to the model core's option records, in one place. */
public record ModelSettings(ModelConfig model, LoraSpec populationLora, LoraSpec userLora, TrainOptions base,
                            int populationRounds, int populationLocalSteps, double populationLr,
                            int warmStartSteps, int jointRounds, int jointLocalSteps, double groupLr, double tau,
                            GroupOptions group, int userSteps, int userBatch, double userLr, int userMinHistory,
                            double userDevFraction, int usersPerBatch,
                            int shards, boolean groupLevel, boolean fixedBeta, int pretrainSteps, int pretrainBatch,
                            double pretrainLr, long seed, String checkpoint, int maxNewTokens) implements Serializable {

    public static ModelSettings from(ProperConfig c) {
        Family family = Family.valueOf(c.getString("proper.model.family").toUpperCase(Locale.ROOT));
        int d = c.getInt("proper.model.d-model");
        ModelConfig model = family == Family.GPT2
                ? ModelConfig.gpt2(d, c.getInt("proper.model.layers"), c.getInt("proper.model.heads"),
                        c.getInt("proper.model.d-ffn"), c.getInt("proper.model.max-seq-len"))
                : ModelConfig.llama(d, c.getInt("proper.model.layers"), c.getInt("proper.model.heads"),
                        c.getInt("proper.model.kv-heads"), c.getInt("proper.model.d-ffn"), c.getInt("proper.model.max-seq-len"));
        EnumSet<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (String t : c.getStringList("proper.lora.targets")) {
            targets.add(switch (t) {
                case "ffn" -> LoraTarget.FFN;
                case "attn-q" -> LoraTarget.ATTN_Q;
                case "attn-v" -> LoraTarget.ATTN_V;
                default -> throw new IllegalArgumentException("Invalid value for proper.lora.targets: " + t);
            });
        }
        LoraSpec lora = new LoraSpec(c.getInt("proper.lora.rank"), c.getDouble("proper.lora.alpha"), targets);
        LoraSpec userLora = new LoraSpec(c.getInt("proper.train.users.rank"), c.getDouble("proper.train.users.alpha"), targets);
        long seed = c.getLong("proper.train.seed");
        TrainOptions base = TrainOptions.defaults()
                .withBatchSize(c.getInt("proper.train.batch-size"))
                .withOptimizer("adam".equals(c.getString("proper.train.optimizer")) ? TrainOptions.Optimizer.ADAM
                        : TrainOptions.Optimizer.ADAMW, c.getDouble("proper.train.weight-decay"))
                .withSchedule(TrainOptions.Schedule.valueOf(c.getString("proper.train.schedule").toUpperCase(Locale.ROOT)),
                        c.getInt("proper.train.warmup-steps"))
                .withClipNorm(c.getDouble("proper.train.clip-norm"))
                .withEarlyStopping(c.getInt("proper.train.early-stopping-patience"), 10)
                .withSeed(seed);
        boolean diversity = c.getBoolean("proper.ablation.diversity");
        GroupOptions group = new GroupOptions(diversity ? c.getDouble("proper.train.groups.lambda-diversity") : 0.0,
                c.getDouble("proper.train.groups.lambda-balance"), "hard".equals(c.getString("proper.ablation.routing")));
        return new ModelSettings(model, lora, userLora, base,
                c.getInt("proper.train.population.rounds"), c.getInt("proper.train.population.local-steps"),
                c.getDouble("proper.train.population.lr"),
                c.getInt("proper.train.groups.warm-start-steps"), c.getInt("proper.train.groups.joint-rounds"),
                c.getInt("proper.train.groups.joint-local-steps"), c.getDouble("proper.train.groups.lr"),
                c.getDouble("proper.train.groups.temperature"), group,
                c.getInt("proper.train.users.steps"), c.getInt("proper.train.users.batch-size"),
                c.getDouble("proper.train.users.lr"),
                c.getInt("proper.train.users.min-history"), c.getDouble("proper.train.users.dev-fraction"),
                c.getInt("proper.train.users.users-per-batch"),
                c.getInt("proper.train.users.shards"), c.getBoolean("proper.ablation.group-level"),
                !c.getBoolean("proper.ablation.lora-aware-router"),
                c.getInt("proper.model.pretrain-steps"), c.getInt("proper.model.pretrain-batch"),
                c.getDouble("proper.model.pretrain-lr"), seed, c.getString("proper.model.checkpoint"),
                c.getInt("proper.eval.max-new-tokens"));
    }

    public UserOptions userOptions() {
        return new UserOptions(userLora, fixedBeta, group.hardRouting(), !groupLevel);
    }

    /** The share of each user's items held out as its dev set: proper.train.users.dev-fraction when early stopping is on. */
    public double userDevShare() {
        return base.patience() > 0 ? userDevFraction : 0.0;
    }

    public TrainOptions userTrainOptions() {
        return base.withSteps(userSteps).withBatchSize(userBatch).withLr(userLr);
    }

    /** The byte-level tokenizer, or a checkpoint's tokenizer.json when proper.model.checkpoint has one. */
    public Tokenizer tokenizer() {
        java.nio.file.Path tj = checkpoint.isBlank() ? null : java.nio.file.Path.of(checkpoint, "tokenizer.json");
        if (tj == null || !java.nio.file.Files.isRegularFile(tj)) return new ByteTokenizer();
        try {
            return HfTokenizer.load(tj);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Cannot load the tokenizer of proper.model.checkpoint " + tj + ": " + e.getMessage(), e);
        }
    }

    /**
     * The run's encoder for its task: the answer budget is the longest answer the task allows plus EOS (labels and
     * ratings), or proper.eval.max-new-tokens + 1 capped at half the window (generation).
     */
    public ExampleEncoder encoder(TaskSpec task) {
        Tokenizer tok = tokenizer();
        List<String> answers = TaskSpecs.answers(task);
        int budget = answers.isEmpty() ? Math.min(maxNewTokens + 1, model.maxSeqLen() / 2)
                : answers.stream().mapToInt(a -> tok.encode(a).length + 1).max().orElse(2);
        return new ExampleEncoder(tok, model.maxSeqLen(), budget);
    }
}
