package org.proper.jobs.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;
import org.proper.data.task.TaskKind;
import org.proper.pipeline.embed.ProfileEmbedder;
import org.proper.pipeline.evaluate.Predictor;
import org.proper.serving.AdapterStore;
import org.proper.serving.ProfileTexts;
import org.proper.serving.UserModel;
import org.proper.serving.UserModels;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Answers a prompt as a user's personalized model from a published run: the user's LoRA over the "
                + "population-merged base and the router-mixed group experts; a known user without a user LoRA via the "
                + "router from its embedding; a user the run does not know (cold start) via the router from the "
                + "embedding of --profile, or the population-merged base without one.",
                "Classification and rating tasks answer with the label of highest likelihood (as the evaluation does), "
                        + "generation tasks by greedy decoding. Only the answer goes to stdout; which composition served "
                        + "the request goes to stderr."},
        footer = {"", "Examples:",
                "  bin/proper generate --run 2026-11-25 --user s0000017 \"Which tag does this movie relate to ...\"",
                "  bin/proper generate --run warehouse/runs/2026-11-25 --user s0000017 --labels \"Which tag ...\"",
                "  bin/proper generate --run 2026-11-25 --user new-user --profile new-user.json -v \"Which tag ...\"",
                "  bin/proper generate --config conf/cluster.conf --run kafka --user a1b2c3 --max-new-tokens 24 \"Generate a headline ...\"",
                "", "--profile FILE: a JSON array of profile items with the task's fields (or of strings), or a LaMP question "
                        + "{\"id\", \"input\", \"profile\": [...]}; used only for a user the run does not know.",
                "Exit codes: 0 success, 1 failure, 2 usage error (bad option, unknown or unpublished run)."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "RUN",
            description = "A published run: its id (in --warehouse, or the config's proper.warehouse) or its directory <warehouse>/runs/<run_id>.")
    String run;

    @Option(names = "--user", required = true, paramLabel = "USER", description = "The user to answer as.")
    String user;

    @Option(names = "--warehouse", paramLabel = "DIR", description = "Warehouse holding the run (local path or hdfs://). Default: proper.warehouse of --config.")
    String warehouse;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON config whose proper.warehouse holds the run (the model settings always come from the run's manifest).")
    java.nio.file.Path config;

    @Option(names = "--profile", paramLabel = "FILE.json", description = "Profile of a user the run does not know, embedded with the run's embedding model to route it (cold start).")
    java.nio.file.Path profile;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens generated (generation tasks). Default: the run's proper.eval.max-new-tokens.")
    Integer maxNewTokens;

    @Option(names = "--labels", description = "Classification/rating tasks: print every label with its log-likelihood (tab-separated, best first) instead of only the answer.")
    boolean labels;

    @Option(names = {"-v", "--verbose"}, description = "Also print the run, the task and the user's routing to stderr.")
    boolean verbose;

    @Parameters(index = "0", paramLabel = "PROMPT", description = "The prompt, as a query's input of the run's task.")
    String prompt;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (prompt.isBlank()) throw new ParameterException(spec.commandLine(), "Invalid PROMPT: it is empty");
        if (user.isBlank()) throw new ParameterException(spec.commandLine(), "Invalid value for option '--user': it is empty");
        if (profile != null && !java.nio.file.Files.isRegularFile(profile)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--profile': " + profile + ": no such file");
        }
        String[] whAndId = resolveRun();
        Configuration conf = new Configuration();
        AdapterStore store;
        try {
            store = AdapterStore.open(whAndId[0], whAndId[1], conf);
        } catch (IllegalStateException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--run': " + e.getMessage());
        }
        UserModels models = UserModels.open(store);
        int maxSeqLen = models.settings().model().maxSeqLen();
        int maxNew = maxNewTokens != null ? maxNewTokens : models.config().getInt("proper.eval.max-new-tokens");
        if (maxNew < 1 || maxNew >= maxSeqLen) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--max-new-tokens': " + maxNew
                    + " (must be in 1.." + (maxSeqLen - 1) + ", the run's model has max-seq-len " + maxSeqLen + ")");
        }
        if (labels && models.task().kind() == TaskKind.GENERATION) {
            throw new ParameterException(spec.commandLine(), "Invalid option '--labels': task " + models.task().task()
                    + " of run " + whAndId[1] + " is a generation task and has no label set");
        }
        float[] coldStart = null;
        boolean known = models.knows(user);
        if (profile != null && known) {
            err.println("proper: user " + user + " is in run " + whAndId[1] + "; --profile ignored");
        } else if (profile != null) {
            List<String> texts;
            try {
                texts = ProfileTexts.read(profile, models.task());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--profile': " + e.getMessage());
            }
            coldStart = embedProfile(models, conf, texts);
            if (verbose) err.println("proper: embedded " + texts.size() + " profile texts of " + user);
        }
        UserModel m = models.forUser(user, coldStart);
        err.println("proper: served " + m.describe());
        if (verbose) {
            err.println("proper: run " + whAndId[1] + " at " + store.layout().root() + ", task " + models.task().describe());
            var a = store.forUser(user);
            if (a.groupProbabilities() != null) {
                err.println("proper: user " + user + " group " + a.groupId() + ", soft assignment " + java.util.Arrays.toString(a.groupProbabilities()));
            }
        }
        Predictor predictor = maxNewTokens != null ? models.predictor(maxNew) : models.predictor();
        if (labels) {
            double[] ll = predictor.labelLogLikelihoods(m.composition(), m.embedding(), prompt);
            List<String> names = predictor.labels();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < ll.length; i++) order.add(i);
            order.sort((x, y) -> Double.compare(ll[y], ll[x]));
            for (int i : order) out.println(names.get(i) + "\t" + String.format(Locale.ROOT, "%.4f", ll[i]));
        } else {
            out.println(m.answer(predictor, prompt));
        }
        out.flush();
        m.release();
        models.release();
        return 0;
    }

    /** {warehouse, run id} from --run (an id or a run directory), --warehouse and --config. */
    private String[] resolveRun() {
        if (run.contains("/")) {
            Path p = new Path(run.endsWith("/") ? run.substring(0, run.length() - 1) : run);
            if (p.getParent() == null || !"runs".equals(p.getParent().getName()) || p.getParent().getParent() == null) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--run': '" + run
                        + "' (expected a run id or a directory <warehouse>/runs/<run_id>)");
            }
            return new String[]{p.getParent().getParent().toString(), p.getName()};
        }
        if (!run.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--run': '" + run
                    + "' (a run id is 1-128 letters, digits, '.', '_', '-')");
        }
        String wh = warehouse != null ? warehouse : ProperConfig.load(config, java.util.Map.of()).getString("proper.warehouse");
        return new String[]{wh, run};
    }

    /** Embeds the profile with the run's saved embedding model in a local SparkSession (reused if one is running). */
    private static float[] embedProfile(UserModels models, Configuration conf, List<String> texts) {
        boolean mine = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().appName("proper generate: embedding a profile").master("local[1]")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        try {
            return ProfileEmbedder.load(spark, models.store().layout(), models.config(), conf).embed(texts);
        } finally {
            if (mine) spark.stop();
        }
    }
}
