package org.proper.pipeline.train;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.proper.model.io.HfCheckpoint;
import org.proper.model.lm.BaseModel;
import org.proper.model.train.Pretrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.TrainResult;
import org.proper.pipeline.RunContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import scala.Tuple2;

/**
 * The base model of a run: a pretrained checkpoint when proper.model.checkpoint is set, otherwise a small model
 * pretrained here (next-token LM) on a bounded, seeded sample of the users' training texts — bounded so the driver's
 * memory does not grow with the number of users.
 */
public final class BaseModels {
    private static final Logger LOG = LoggerFactory.getLogger(BaseModels.class);

    private BaseModels() {}

    public record Obtained(BaseModel model, String describe, List<Double> loss) {}

    public static Obtained obtain(RunContext ctx, ModelSettings s) {
        String checkpoint = ctx.config().getString("proper.model.checkpoint");
        if (!checkpoint.isBlank()) {
            try {
                BaseModel m = HfCheckpoint.load(java.nio.file.Path.of(checkpoint), s.model().maxSeqLen());
                s.tokenizer().requireFits(m.config(), "use proper.model.checkpoint " + checkpoint
                        + " with its tokenizer.json (or the byte-level default where it has none)");
                LOG.info("Loaded base model from checkpoint {}: {}", checkpoint, m.config());
                return new Obtained(m, "checkpoint " + checkpoint, List.of());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("Cannot load proper.model.checkpoint " + checkpoint + ": " + e.getMessage(), e);
            }
        }
        int wanted = Math.max(1, s.pretrainSteps() * s.pretrainBatch());
        Dataset<Row> rows = TrainingData.trainRows(ctx);
        long total = rows.count();
        if (total == 0) throw new IllegalStateException("Cannot pretrain a base model: the run has no training rows");
        // a seeded hash sample, sorted by its hash: the same texts in the same order whatever the files' order
        double fraction = Math.min(1.0, 1.5 * wanted / total);
        long seed = s.seed();
        List<String> texts = rows.javaRDD()
                .mapToPair(r -> new Tuple2<>(TrainingData.unitHash(r.getString(0) + "\u0000" + r.getString(1), seed),
                        r.getString(2) + "\n" + r.getString(3)))
                .filter(t -> t._1() < fraction)
                .sortByKey()
                .values()
                .take(wanted);
        LOG.info("Pretraining a {} base model ({} steps) on {} sampled training texts", s.model().family(),
                s.pretrainSteps(), texts.size());
        TrainOptions o = s.base().withSteps(s.pretrainSteps()).withBatchSize(s.pretrainBatch()).withLr(s.pretrainLr());
        TrainResult<BaseModel> r = Pretrainer.pretrain(s.model(), s.tokenizer(), texts, o);
        return new Obtained(r.params(), "pretrained here: " + s.model() + " on " + texts.size() + " texts", r.loss());
    }
}
