package org.proper.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.data.synth.SyntheticTask;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.e2e.TinyRuns;
import org.proper.pipeline.run.RunLayout;
import org.proper.serving.AdapterStore;
import org.proper.serving.UserModel;
import org.proper.serving.UserModels;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * `proper generate` on real tiny published runs (a classification and a generation task): the answer alone on stdout,
 * the composition on stderr, exit codes.
 */
class GenerateCommandTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String warehouse;
    static String trainedUser;
    static String prompt;
    static String expectedAnswer;
    static List<String> labels;
    static Path profile;
    /** A generation-task run: greedy decoding. */
    static String genUser;
    static String genPrompt;
    static String genAnswer;
    static String genAnswerTwoTokens;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @BeforeAll
    static void publishATinyRun() throws Exception {
        spark = TinyRuns.spark("local[2]");
        Path data = tmp.resolve("data");
        TinyRuns.generate(spark, data);
        warehouse = tmp.resolve("warehouse").toString();
        ProperConfig config = TinyRuns.config(warehouse, data.toString(), Map.of());
        RunContext ctx = TinyRuns.run(spark, config, "tiny", TinyRuns.all());
        trainedUser = spark.read().parquet(ctx.layout().tableUri(RunLayout.ADAPTERS)).where(col("level").equalTo("user"))
                .select("owner_id").orderBy("owner_id").first().getString(0);
        Row q = spark.read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS))
                .where(col("user_id").equalTo(trainedUser).and(col("split").equalTo("test"))).select("input").first();
        prompt = q.getString(0);
        List<String> texts = new ArrayList<>();
        for (Row r : spark.read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS))
                .where(col("user_id").equalTo(trainedUser).and(col("split").equalTo("train"))).select("input", "output").collectAsList()) {
            texts.add(r.getString(0) + " " + r.getString(1));
        }
        profile = tmp.resolve("profile.json");
        Files.writeString(profile, new ObjectMapper().writeValueAsString(texts));
        UserModels models = UserModels.open(AdapterStore.open(warehouse, "tiny", new Configuration()));
        UserModel m = models.forUser(trainedUser);
        expectedAnswer = m.answer(models.predictor(), prompt);
        labels = models.task().labels();
        m.release();
        models.release();

        Path genData = tmp.resolve("gen-data");
        TinyRuns.generate(spark, genData, SyntheticTask.GENERATION);
        RunContext gen = TinyRuns.run(spark, TinyRuns.config(warehouse, genData.toString(), Map.of()), "tinygen", TinyRuns.all());
        genUser = spark.read().parquet(gen.layout().tableUri(RunLayout.ADAPTERS)).where(col("level").equalTo("user"))
                .select("owner_id").orderBy("owner_id").first().getString(0);
        genPrompt = spark.read().parquet(gen.layout().tableUri(RunLayout.INTERACTIONS))
                .where(col("user_id").equalTo(genUser).and(col("split").equalTo("test"))).select("input").first().getString(0);
        UserModels genModels = UserModels.open(AdapterStore.open(warehouse, "tinygen", new Configuration()));
        UserModel g = genModels.forUser(genUser);
        genAnswer = g.answer(genModels.predictor(), genPrompt);
        genAnswerTwoTokens = g.answer(genModels.predictor(2), genPrompt);
        g.release();
        genModels.release();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void aTrainedUserGetsTheAnswerAloneOnStdoutAndItsCompositionOnStderr() {
        CliRun r = run("generate", "--warehouse", warehouse, "--run", "tiny", "--user", trainedUser, prompt);
        assertEquals(0, r.code(), r.err());
        assertEquals(expectedAnswer + System.lineSeparator(), r.out());
        assertTrue(labels.contains(expectedAnswer), expectedAnswer + " in " + labels);
        assertTrue(r.err().contains("served user " + trainedUser + ": user LoRA"), r.err());

        CliRun byDir = run("generate", "--run", warehouse + "/runs/tiny", "--user", trainedUser, prompt);
        assertEquals(0, byDir.code(), byDir.err());
        assertEquals(r.out(), byDir.out());
    }

    @Test
    void labelsPrintsEveryLabelWithItsLogLikelihoodBestFirst() {
        CliRun r = run("generate", "--warehouse", warehouse, "--run", "tiny", "--user", trainedUser, "--labels", prompt);
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\\R");
        assertEquals(labels.size(), lines.length, r.out());
        assertEquals(expectedAnswer, lines[0].split("\t")[0]);
        double previous = Double.POSITIVE_INFINITY;
        for (String line : lines) {
            double ll = Double.parseDouble(line.split("\t")[1]);
            assertTrue(ll <= previous && ll < 0, r.out());
            previous = ll;
        }
    }

    @Test
    void anUnknownUserIsServedByColdStartWithAProfileAndByThePopulationWithout() {
        CliRun cold = run("generate", "--warehouse", warehouse, "--run", "tiny", "--user", "new-user", "--profile",
                profile.toString(), prompt);
        assertEquals(0, cold.code(), cold.err());
        assertTrue(cold.err().contains("served user new-user: cold start"), cold.err());
        assertTrue(labels.contains(cold.out().strip()), cold.out());

        CliRun none = run("generate", "--warehouse", warehouse, "--run", "tiny", "--user", "new-user", prompt);
        assertEquals(0, none.code(), none.err());
        assertTrue(none.err().contains("served user new-user: population"), none.err());
        assertTrue(labels.contains(none.out().strip()), none.out());
    }

    @Test
    void aGenerationTaskIsDecodedGreedilyUpToMaxNewTokens() {
        CliRun r = run("generate", "--warehouse", warehouse, "--run", "tinygen", "--user", genUser, genPrompt);
        assertEquals(0, r.code(), r.err());
        assertEquals(genAnswer + System.lineSeparator(), r.out());
        assertTrue(r.err().contains("served user " + genUser + ": user LoRA"), r.err());
        CliRun two = run("generate", "--warehouse", warehouse, "--run", "tinygen", "--user", genUser, "--max-new-tokens", "2", genPrompt);
        assertEquals(0, two.code(), two.err());
        assertEquals(genAnswerTwoTokens + System.lineSeparator(), two.out());
        assertTrue(genAnswerTwoTokens.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 2, genAnswerTwoTokens);

        CliRun labelsOnGeneration = run("generate", "--warehouse", warehouse, "--run", "tinygen", "--user", genUser, "--labels", genPrompt);
        assertEquals(2, labelsOnGeneration.code());
        assertTrue(labelsOnGeneration.err().contains("--labels") && labelsOnGeneration.err().contains("generation task"), labelsOnGeneration.err());
        CliRun tooMany = run("generate", "--warehouse", warehouse, "--run", "tinygen", "--user", genUser, "--max-new-tokens", "48", genPrompt);
        assertEquals(2, tooMany.code());
        assertTrue(tooMany.err().contains("--max-new-tokens") && tooMany.err().contains("1..47"), tooMany.err());
    }

    @Test
    void anUnknownRunIsAUsageErrorNamingTheRun() {
        CliRun r = run("generate", "--warehouse", warehouse, "--run", "nosuchrun", "--user", trainedUser, prompt);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--run") && r.err().contains("nosuchrun") && r.err().contains("not published"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        CliRun tokens = run("generate", "--warehouse", warehouse, "--run", "tiny", "--user", trainedUser, "--max-new-tokens", "0", prompt);
        assertEquals(2, tokens.code());
        assertTrue(tokens.err().contains("--max-new-tokens") && tokens.err().contains("0"), tokens.err());
        CliRun missing = run("generate", "--warehouse", warehouse, "--run", "tiny", "--user", "new-user", "--profile", "no/such.json", prompt);
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--profile") && missing.err().contains("no/such.json"), missing.err());
        CliRun noUser = run("generate", "--warehouse", warehouse, "--run", "tiny", prompt);
        assertEquals(2, noUser.code());
        assertTrue(noUser.err().contains("--user"), noUser.err());
    }
}
