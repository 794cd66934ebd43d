package org.proper.pipeline.e2e;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.model.BaseModel;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.StageName;
import org.proper.pipeline.StageSummaries;
import org.proper.pipeline.embed.ProfileEmbedder;
import org.proper.pipeline.embed.UserEmbedder;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;

/** A tiny complete run with embed.method = hidden-state: the base is obtained once, by the embed stage. */
class HiddenStateRunTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void everyStageCompletesAndThePopulationTrainsOnTheBaseTheEmbeddingsCameFrom() throws Exception {
        spark = TinyRuns.spark("local[2]");
        Path data = tmp.resolve("data");
        TinyRuns.generate(spark, data);
        ProperConfig config = TinyRuns.config(tmp.resolve("warehouse").toString(), data.toString(),
                Map.of("embed.method", UserEmbedder.HIDDEN_STATE));
        RunContext run = TinyRuns.run(spark, config, "hidden", TinyRuns.all());

        Map<String, Map<String, Object>> stages = StageSummaries.readAll(run);
        assertEquals(Arrays.stream(StageName.values()).map(StageName::cliName).toList(), List.copyOf(stages.keySet()),
                "every stage completed");
        Map<String, Object> embed = stages.get(StageName.EMBED.cliName());
        Map<String, Object> population = stages.get(StageName.TRAIN_POPULATION.cliName());
        assertEquals(UserEmbedder.HIDDEN_STATE, embed.get("method"));
        assertTrue(String.valueOf(embed.get("base_model")).startsWith("pretrained here"), String.valueOf(embed.get("base_model")));
        assertTrue(String.valueOf(population.get("base_model")).startsWith("obtained by the embed stage"),
                String.valueOf(population.get("base_model")));
        assertEquals(embed.get("base_fingerprint"), population.get("base_fingerprint"), "the population trained on the embed stage's base");
        BaseModel stored = new ArtifactStore(run.layout(), run.hadoopConf()).get(ArtifactStore.BASE, BaseModel.class);
        assertEquals(embed.get("base_fingerprint"), stored.fingerprint());

        Dataset<Row> embeddings = spark.read().parquet(run.layout().tableUri(RunLayout.USER_EMBEDDINGS));
        assertEquals(List.of(UserEmbedder.HIDDEN_STATE), embeddings.select("method").distinct().as(Encoders.STRING()).collectAsList());
        assertEquals(((Number) stages.get(StageName.INGEST.cliName()).get("users")).longValue(), embeddings.count());
        Row some = embeddings.orderBy("user_id").first();
        List<Float> row = some.getList(1);
        assertEquals(4, row.size(), "embed.dim");

        // serving's cold-start path embeds a user's training texts into its row, with the run's base and saved PCA
        List<String> texts = spark.read().parquet(run.layout().tableUri(RunLayout.INTERACTIONS))
                .where(col("user_id").equalTo(some.getString(0)).and(col("split").equalTo("train")))
                .orderBy("item_id").select("input", "output").collectAsList().stream()
                .map(r -> r.getString(0) + " " + r.getString(1)).toList();
        float[] profile = ProfileEmbedder.load(spark, run.layout(), config, run.hadoopConf()).embed(texts);
        double norm = 0;
        for (int i = 0; i < profile.length; i++) {
            assertEquals(row.get(i), profile[i], 1e-5, some.getString(0) + "[" + i + "]");
            norm += profile[i] * profile[i];
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-5);
    }
}
