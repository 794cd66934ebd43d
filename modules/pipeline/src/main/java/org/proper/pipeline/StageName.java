package org.proper.pipeline;

import java.util.Arrays;

/** The stages of a run, in order. Each is a `proper` subcommand; `proper run` chains them. */
public enum StageName {
    INGEST("ingest", "Ingesting interactions"),
    EMBED("embed", "Embedding users"),
    CLUSTER("cluster", "Clustering users into groups"),
    TRAIN_POPULATION("train-population", "Training the population LoRA"),
    TRAIN_GROUPS("train-groups", "Training group experts and the user-aware router"),
    TRAIN_USERS("train-users", "Training user adapters"),
    EVALUATE("evaluate", "Evaluating"),
    PUBLISH("publish", "Publishing adapter shards and the manifest");

    private final String cliName;
    private final String description;

    StageName(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    public String cliName() {
        return cliName;
    }

    public String description() {
        return description;
    }

    public static StageName fromCli(String name) {
        return Arrays.stream(values()).filter(s -> s.cliName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown stage '" + name + "'; stages: "
                        + Arrays.stream(values()).map(StageName::cliName).toList()));
    }
}
