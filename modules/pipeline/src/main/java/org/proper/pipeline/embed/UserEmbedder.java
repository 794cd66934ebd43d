package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.array_repeat;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.proper.pipeline.run.SparkJobGroup;

/**
 * The embed stage (DESIGN §1, §4): a preference embedding per user, L2-normalised, as the {@code user_embeddings}
 * table (user_id, embedding array&lt;float&gt;, method).
 *
 * <p>Only a user's TRAIN rows are read (inputs and outputs); users with no train rows are embedded from their query
 * inputs alone (cold start), see {@link UserTexts}. Methods: {@value #TFIDF_PCA} ({@link TfidfPcaEmbedding}),
 * {@value #WORD2VEC} ({@link Word2VecEmbedding}), {@value #HIDDEN_STATE} ({@link HiddenStateEmbedding}: the base
 * model's mean hidden state; it needs the run's base model, registered with {@link #withMethod}), and any other
 * registered with {@link #withMethod}. The embedding is all zeros only for a user with no usable token at all.
 */
public final class UserEmbedder {
    public static final String TFIDF_PCA = "tfidf-pca";
    public static final String WORD2VEC = "word2vec";
    public static final String HIDDEN_STATE = "hidden-state";

    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField("user_id", DataTypes.StringType, false),
            DataTypes.createStructField("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("method", DataTypes.StringType, false)});

    private final EmbedOptions options;
    private final Map<String, EmbeddingMethod> methods;

    public UserEmbedder(EmbedOptions options) {
        this(options, Map.of(TFIDF_PCA, new TfidfPcaEmbedding(), WORD2VEC, new Word2VecEmbedding(),
                HIDDEN_STATE, HiddenStateEmbedding.withoutModel()));
    }

    private UserEmbedder(EmbedOptions options, Map<String, EmbeddingMethod> methods) {
        this.options = options;
        this.methods = methods;
    }

    /** A copy that also knows {@code method} (replacing a built-in of the same name). */
    public UserEmbedder withMethod(EmbeddingMethod method) {
        Map<String, EmbeddingMethod> more = new LinkedHashMap<>(methods);
        more.put(method.name(), method);
        return new UserEmbedder(options, Map.copyOf(more));
    }

    public String description() {
        return "Embedding users (" + options.describe() + ")";
    }

    /**
     * The user_embeddings rows for every user in {@code interactions} (lazy apart from the method's model fitting,
     * which runs now, under this stage's job group).
     */
    public Dataset<Row> embed(Dataset<Row> interactions) {
        return embed(interactions, null);
    }

    /**
     * As {@link #embed(Dataset)}, and when {@code saveModelTo} is not null and the method can ({@link #reusesModels()}),
     * saves the fitted model there so that a later incremental run embeds its new and changed users in the same space
     * ({@link #embedWithModel}).
     */
    public Dataset<Row> embed(Dataset<Row> interactions, String saveModelTo) {
        EmbeddingMethod method = method();
        Dataset<Row> raw;
        try (SparkJobGroup g = SparkJobGroup.open(interactions.sparkSession(), "embed", description())) {
            raw = saveModelTo != null && method.reusable()
                    ? method.embedAndSave(UserTexts.of(interactions), options, saveModelTo)
                    : method.embed(UserTexts.of(interactions), options);
        }
        return finish(raw, method);
    }

    /** Embeds the users of {@code interactions} with the model an earlier fit saved under {@code modelDir} (no fitting). */
    public Dataset<Row> embedWithModel(Dataset<Row> interactions, String modelDir) {
        EmbeddingMethod method = method();
        if (!method.reusable()) {
            throw new IllegalArgumentException("Cannot embed users with a saved model: embed.method '" + method.name()
                    + "' does not save its model");
        }
        Dataset<Row> raw;
        try (SparkJobGroup g = SparkJobGroup.open(interactions.sparkSession(), "embed", description() + " with the model in " + modelDir)) {
            raw = method.transform(UserTexts.of(interactions), options, modelDir);
        }
        return finish(raw, method);
    }

    /** Whether the configured method saves its fitted model (and can embed later users with it). */
    public boolean reusesModels() {
        return method().reusable();
    }

    private EmbeddingMethod method() {
        EmbeddingMethod method = methods.get(options.method());
        if (method == null) {
            throw new IllegalArgumentException("Cannot embed users: embed.method '" + options.method() + "' is not one of "
                    + methods.keySet());
        }
        return method;
    }

    private Dataset<Row> finish(Dataset<Row> raw, EmbeddingMethod method) {
        SparkSession spark = raw.sparkSession();
        Column vector = asFloatArray(raw.schema().apply("embedding").dataType());
        int dim = options.dim();
        Column checked = when(size(vector).equalTo(dim), vector)
                .otherwise(raise_error(concat(lit("Cannot embed user "), col("user_id"), lit(": method " + method.name()
                        + " returned an embedding whose size is not embed.dim " + dim))));
        Dataset<Row> filled = raw.select(col("user_id"),
                coalesce(checked, array_repeat(lit(0f), dim)).as("embedding"));
        Dataset<Row> normalised = filled
                .withColumn("norm", expr("sqrt(aggregate(embedding, 0D, (acc, x) -> acc + cast(x as double) * x))"))
                .select(col("user_id"),
                        expr("transform(embedding, x -> cast(if(norm > 0, x / norm, 0D) as float))").as("embedding"),
                        lit(method.name()).as("method"));
        // the contract's not-null columns: re-apply the schema (values are never null by construction)
        return spark.createDataFrame(normalised.javaRDD(), SCHEMA);
    }

    /** Embeds and writes user_embeddings (Parquet, sorted by user_id within files so lookups can skip row groups). */
    public void write(Dataset<Row> interactions, String path) {
        write(interactions, path, null);
    }

    /** Embeds (saving the fitted model under {@code saveModelTo} when not null) and writes user_embeddings. */
    public void write(Dataset<Row> interactions, String path, String saveModelTo) {
        Dataset<Row> embeddings = embed(interactions, saveModelTo);
        try (SparkJobGroup g = SparkJobGroup.open(interactions.sparkSession(), "embed", description() + ": writing")) {
            embeddings.sortWithinPartitions("user_id").write().mode("overwrite").parquet(path);
        }
    }

    private static Column asFloatArray(DataType type) {
        if (type instanceof VectorUDT) {
            return org.apache.spark.ml.functions.vector_to_array(col("embedding"), "float32");
        }
        return col("embedding").cast(DataTypes.createArrayType(DataTypes.FloatType));
    }
}
