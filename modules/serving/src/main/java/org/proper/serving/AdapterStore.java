package org.proper.serving;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.notEq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.api.Binary;
import org.proper.pipeline.io.AdapterShards;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.TensorBytes;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;

/**
 * Opens a published run for serving, without Spark: Parquet files are read with parquet-hadoop through Hadoop's
 * FileSystem (local path or hdfs://). Every tensor's sha256 is verified as it is read; a mismatch throws
 * {@link org.proper.pipeline.io.AdapterIntegrityException} naming the file.
 *
 * <p>The shared tensors (population, group experts, router) are loaded once at open. A user's own tensors are read on
 * demand from the one shard directory its id hashes to; its user_groups and user_embeddings rows are found by a
 * filtered scan (row groups whose user_id statistics exclude the user are skipped; the stages write these tables
 * sorted by user_id within files).
 */
public final class AdapterStore {
    public static final List<String> SHARED_LEVELS = List.of("population", "group", "router");

    private final RunLayout layout;
    private final Configuration conf;
    private final Map<String, Object> manifest;
    private final int numShards;
    private final Map<String, List<TensorRecord>> shared;

    private AdapterStore(RunLayout layout, Configuration conf, Map<String, Object> manifest, int numShards,
                         Map<String, List<TensorRecord>> shared) {
        this.layout = layout;
        this.conf = conf;
        this.manifest = manifest;
        this.numShards = numShards;
        this.shared = shared;
    }

    /**
     * @throws IllegalStateException naming the run when it has no {@code _manifest.json} (not published) or no
     *                               adapters table
     */
    public static AdapterStore open(String warehouse, String runId, Configuration conf) {
        RunLayout layout = RunLayout.of(warehouse, runId);
        Map<String, Object> manifest = ManifestWriter.read(layout, conf);
        Path table = layout.table(RunLayout.ADAPTERS);
        Path meta = new Path(table, AdapterTableWriter.METADATA_FILE);
        if (!exists(meta, conf)) {
            throw new IllegalStateException("Cannot open run " + runId + ": it has no adapters table (" + meta + " missing)");
        }
        int numShards = AdapterTableWriter.readNumShards(meta, conf);
        Map<String, List<TensorRecord>> shared = new LinkedHashMap<>();
        for (String level : SHARED_LEVELS) {
            shared.put(level, new ArrayList<>());
        }
        ParquetRows.forEach(table, notEq(binaryColumn("level"), Binary.fromString("user")), conf, (file, g) -> {
            TensorRecord r = verifiedRecord(file, g);
            if (!"user".equals(r.level())) {
                shared.computeIfAbsent(r.level(), k -> new ArrayList<>()).add(r);
            }
        });
        shared.replaceAll((level, records) -> List.copyOf(records));
        return new AdapterStore(layout, conf, manifest, numShards, Map.copyOf(shared));
    }

    public Map<String, Object> manifest() {
        return manifest;
    }

    public RunLayout layout() {
        return layout;
    }

    /** The Hadoop configuration the run is read with (local or HDFS). */
    public Configuration hadoopConf() {
        return conf;
    }

    /** Tensors shared by all users: population, group experts, router. */
    public Map<String, List<TensorRecord>> sharedTensors() {
        return shared;
    }

    /**
     * A user's tensors per level and its group probabilities and embedding. For a user the run does not know the
     * result is the cold-start set: population, group and router tensors, no user level, no embedding.
     */
    public UserAdapters forUser(String userId) {
        Map<String, List<TensorRecord>> tensors = new LinkedHashMap<>(shared);
        List<TensorRecord> own = new ArrayList<>();
        Path shardDir = new Path(layout.table(RunLayout.ADAPTERS), AdapterShards.directoryName(AdapterShards.shardOf(userId, numShards)));
        FilterPredicate mine = and(eq(binaryColumn("level"), Binary.fromString("user")),
                eq(binaryColumn("owner_id"), Binary.fromString(userId)));
        ParquetRows.forEach(shardDir, mine, conf, (file, g) -> {
            TensorRecord r = verifiedRecord(file, g);
            if ("user".equals(r.level()) && userId.equals(r.ownerId())) {
                own.add(r);
            }
        });
        tensors.put("user", List.copyOf(own));

        double[][] probabilities = {null};
        int[] groupId = {-1};
        FilterPredicate byUser = eq(binaryColumn("user_id"), Binary.fromString(userId));
        ParquetRows.forEach(layout.table(RunLayout.USER_GROUPS), byUser, conf, (file, g) -> {
            if (userId.equals(g.getString("user_id", 0))) {
                probabilities[0] = ParquetRows.doubleList(g, "probabilities");
                groupId[0] = g.getInteger("group_id", 0);
            }
        });
        float[][] embedding = {null};
        ParquetRows.forEach(layout.table(RunLayout.USER_EMBEDDINGS), byUser, conf, (file, g) -> {
            if (userId.equals(g.getString("user_id", 0))) {
                embedding[0] = ParquetRows.floatList(g, "embedding");
            }
        });
        return new UserAdapters(userId, Map.copyOf(tensors), probabilities[0], groupId[0], embedding[0]);
    }

    private static TensorRecord verifiedRecord(Path file, Group g) {
        String level = g.getString("level", 0);
        String owner = g.getString("owner_id", 0);
        String module = g.getString("module", 0);
        String tensor = g.getString("tensor", 0);
        int[] shape = ParquetRows.intList(g, "shape");
        byte[] bytes = g.getBinary("bytes", 0).getBytes();
        AdapterTableReader.verify(file.toString(), level + "/" + owner + "/" + module + "/" + tensor,
                g.getString("dtype", 0), shape, bytes, g.getString("sha256", 0));
        return new TensorRecord(level, owner, module, tensor, shape, TensorBytes.decode(bytes));
    }

    private static boolean exists(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf).exists(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot check " + path + ": " + e.getMessage(), e);
        }
    }
}
