package org.proper.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.proper.common.ProperConfig;
import org.proper.data.task.TaskMapping;
import org.proper.model.lm.BaseModel;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.UserAdapter;
import org.proper.pipeline.evaluate.Predictor;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.evaluate.UserCompositions;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.stages.IngestStage;
import org.proper.pipeline.stages.PopulationStage;
import org.proper.pipeline.train.AdapterRecords;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.ModelSettings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Composes any user's model from a published run, without Spark (DESIGN §2):
 * <ul>
 *   <li>the population-merged base W' = W + ΔW_p: the run's base model ({@code <run>/model/base.bin}, checked against
 *       the manifest's base-model fingerprint) merged with the <em>published</em> population adapter;</li>
 *   <li>the group experts and the user-aware router from the published group and router tensors;</li>
 *   <li>per user, the published user LoRA and LoRA-aware router R_u.</li>
 * </ul>
 * The model settings (LoRA ranks and targets, τ, ablations, tokenizer) are the ones the run was trained with, from
 * the manifest's config. Which composition answers a user is {@link UserCompositions}' rule, the one the evaluate stage
 * uses: {@link UserModel.Served#USER_LORA}, {@link UserModel.Served#KNOWN_VIA_ROUTER},
 * {@link UserModel.Served#COLD_START} (an unknown user routed by an embedding the caller computed from its profile) or
 * {@link UserModel.Served#POPULATION} (nothing to route by).
 */
public final class UserModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdapterStore store;
    private final ProperConfig config;
    private final ModelSettings settings;
    private final TaskMapping task;
    private final UserCompositions compositions;

    private UserModels(AdapterStore store, ProperConfig config, ModelSettings settings, TaskMapping task,
                       UserCompositions compositions) {
        this.store = store;
        this.config = config;
        this.settings = settings;
        this.task = task;
        this.compositions = compositions;
    }

    /**
     * Loads the shared parts of a run opened by {@link AdapterStore#open}: base model, merged population, experts.
     *
     * @throws IllegalStateException naming the run when its base model is missing or does not match the manifest
     */
    public static UserModels open(AdapterStore store) {
        String runId = store.layout().runId();
        ProperConfig config = runConfig(store.manifest(), runId);
        ModelSettings s = ModelSettings.from(config);
        ArtifactStore artifacts = new ArtifactStore(store.layout(), store.hadoopConf());
        BaseModel base = artifacts.get(PopulationStage.BASE, BaseModel.class);
        Object expected = store.manifest().get("base_model_fingerprint");
        if (expected != null && !expected.equals(base.fingerprint())) {
            throw new IllegalStateException("Cannot serve run " + runId + ": " + artifacts.path(PopulationStage.BASE)
                    + " has fingerprint " + base.fingerprint() + ", the manifest says " + expected);
        }
        List<TensorRecord> population = store.sharedTensors().getOrDefault(AdapterRecords.POPULATION, List.of());
        if (population.isEmpty()) {
            throw new IllegalStateException("Cannot serve run " + runId + ": its adapters table has no population tensors");
        }
        LoraAdapter pop = AdapterRecords.toLora(population, s.populationLora(), base.config());
        BaseModel merged = pop.mergeInto(base);
        GroupExperts experts = null;
        if (s.groupLevel()) {
            List<TensorRecord> groups = new ArrayList<>(store.sharedTensors().getOrDefault(AdapterRecords.GROUP, List.of()));
            groups.addAll(store.sharedTensors().getOrDefault(AdapterRecords.ROUTER, List.of()));
            experts = AdapterRecords.toGroups(groups, s.populationLora(), base.config(), s.tau());
        }
        TaskMapping task = artifacts.get(IngestStage.TASK_MAPPING, TaskMapping.class);
        return new UserModels(store, config, s, task, new UserCompositions(merged, experts, s.group().hardRouting()));
    }

    /** The configuration the run was trained with (the manifest's "config"). */
    static ProperConfig runConfig(Map<String, Object> manifest, String runId) {
        Object config = manifest.get("config");
        if (!(config instanceof Map<?, ?>)) {
            throw new IllegalStateException("Cannot serve run " + runId + ": its manifest has no config");
        }
        try {
            return ProperConfig.fromJson(JSON.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serve run " + runId + ": its manifest's config is not JSON: " + e.getMessage(), e);
        }
    }

    public AdapterStore store() {
        return store;
    }

    /** The configuration the run was trained with (e.g. proper.eval.max-new-tokens). */
    public ProperConfig config() {
        return config;
    }

    public ModelSettings settings() {
        return settings;
    }

    /** The run's task: kind, label set or rating range, prompt template. */
    public TaskMapping task() {
        return task;
    }

    public UserCompositions compositions() {
        return compositions;
    }

    /** Decodes as the run's evaluation does: label-constrained for classification and rating, greedy otherwise. */
    public Predictor predictor() {
        return new Predictor(TaskSpecs.of(task), settings.encoder(TaskSpecs.of(task)));
    }

    /** As {@link #predictor()}, generating at most {@code maxNewTokens} tokens for a generation task. */
    public Predictor predictor(int maxNewTokens) {
        return new Predictor(TaskSpecs.of(task), settings.encoder(TaskSpecs.of(task)), maxNewTokens);
    }

    /** A user's model; an unknown user gets the population composition (nothing to route it by). */
    public UserModel forUser(String userId) {
        return forUser(userId, null);
    }

    /**
     * A user's model: its user LoRA when the run trained one, else the router-mixed experts from its embedding in the
     * run; for a user the run does not know, the router-mixed experts from {@code coldStartEmbedding} (e.g. its
     * profile embedded with the run's embedding model), or the population composition when that is null.
     *
     * @param coldStartEmbedding used only when the run does not know the user; must have the router's dimension
     */
    public UserModel forUser(String userId, float[] coldStartEmbedding) {
        if (userId == null || userId.isBlank()) throw new IllegalArgumentException("Cannot serve: the user id is empty");
        UserAdapters adapters = store.forUser(userId);
        UserCompositions.Composed c;
        UserModel.Served served;
        if (adapters.hasUserAdapter()) {
            UserAdapter user = AdapterRecords.toUser(userId, adapters.level(AdapterRecords.USER), settings.userLora(),
                    compositions.merged().config());
            c = compositions.forUser(user, adapters.embedding());
            served = UserModel.Served.USER_LORA;
        } else if (adapters.isKnown()) {
            c = compositions.forUser(null, adapters.embedding());
            served = c.level() == UserCompositions.Level.ROUTER ? UserModel.Served.KNOWN_VIA_ROUTER : UserModel.Served.POPULATION;
        } else {
            c = compositions.forUser(null, coldStartEmbedding);
            served = c.level() == UserCompositions.Level.ROUTER ? UserModel.Served.COLD_START : UserModel.Served.POPULATION;
        }
        return new UserModel(userId, served, c);
    }

    /** Whether the run knows the user (has its embedding or a user adapter). */
    public boolean knows(String userId) {
        return store.forUser(userId).isKnown();
    }

    /** Drops this thread's cached graphs of the shared compositions. */
    public void release() {
        compositions.release();
    }
}
