package org.proper.pipeline.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.proper.data.schema.SchemaContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.pipeline.run.LocalSpark;

class UserEmbedderTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("UserEmbedderTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Map<String, float[]> byUser(Dataset<Row> embeddings) {
        Map<String, float[]> out = new HashMap<>();
        for (Row r : embeddings.collectAsList()) {
            List<Float> e = r.getList(1);
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = e.get(i);
            }
            out.put(r.getString(0), v);
        }
        return out;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void tfidfPcaGivesEveryUserIncludingColdStartAUnitVectorOfDim() {
        Dataset<Row> interactions = PlantedUsers.interactions(spark, 3, 6, 5, 2, "answer", 1L);
        Dataset<Row> embeddings = new UserEmbedder(EmbedOptions.of(UserEmbedder.TFIDF_PCA, 8)).embed(interactions);
        assertEquals(UserEmbedder.SCHEMA, embeddings.schema());
        SchemaContract.check("user_embeddings", embeddings.schema());
        Map<String, float[]> e = byUser(embeddings);
        assertEquals(3 * 6 + 2, e.size());
        assertTrue(e.containsKey("cold0") && e.containsKey("cold1"), "cold-start users are embedded");
        for (Map.Entry<String, float[]> entry : e.entrySet()) {
            assertEquals(8, entry.getValue().length);
            assertEquals(1.0, norm(entry.getValue()), 1e-5, "norm of " + entry.getKey());
        }
        assertEquals(List.of("tfidf-pca"), embeddings.select("method").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    }

    /** The saved model embeds a user's training texts (input + " " + output) into its row, for both methods. */
    @Test
    void theSavedModelEmbedsAUsersProfileIntoItsRow(@TempDir File dir) {
        Dataset<Row> interactions = PlantedUsers.interactions(spark, 2, 5, 6, 1, "answer", 3L);
        for (EmbedOptions options : List.of(EmbedOptions.of(UserEmbedder.TFIDF_PCA, 6),
                new EmbedOptions(UserEmbedder.WORD2VEC, 10, 1024, 1, 2, 42L))) {
            String modelDir = new File(dir, options.method()).getPath();
            Map<String, float[]> rows = byUser(new UserEmbedder(options).embed(interactions, modelDir));
            ProfileEmbedder profiles = ProfileEmbedder.load(spark, new org.apache.hadoop.fs.Path(modelDir), options,
                    new org.apache.hadoop.conf.Configuration());
            int checked = 0;
            for (String user : new java.util.TreeSet<>(rows.keySet())) {
                List<String> texts = interactions.where(org.apache.spark.sql.functions.col("user_id").equalTo(user)
                                .and(org.apache.spark.sql.functions.col("split").equalTo("train")))
                        .orderBy("item_id").select("input", "output").collectAsList().stream()
                        .map(r -> r.getString(0) + " " + r.getString(1)).toList();
                if (texts.isEmpty()) continue; // cold-start users of the planted set: embedded from queries
                float[] got = profiles.embed(texts);
                for (int i = 0; i < got.length; i++) {
                    assertEquals(rows.get(user)[i], got[i], 1e-5, options.method() + " " + user + "[" + i + "]");
                }
                if (++checked == 3) break;
            }
            assertEquals(3, checked, options.method());
        }
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> ProfileEmbedder.load(spark,
                new org.apache.hadoop.fs.Path(dir.getPath(), "nothing"), EmbedOptions.of(UserEmbedder.TFIDF_PCA, 6),
                new org.apache.hadoop.conf.Configuration()));
        assertTrue(none.getMessage().contains("nothing"), none.getMessage());
    }

    @Test
    void devAndTestAnswersDoNotChangeEmbeddings() {
        EmbedOptions options = EmbedOptions.of(UserEmbedder.TFIDF_PCA, 6);
        Map<String, float[]> a = byUser(new UserEmbedder(options).embed(PlantedUsers.interactions(spark, 3, 5, 4, 1, "answer", 7L)));
        Map<String, float[]> b = byUser(new UserEmbedder(options).embed(
                PlantedUsers.interactions(spark, 3, 5, 4, 1, "a completely different leaked gold text", 7L)));
        assertEquals(a.keySet(), b.keySet());
        for (String user : a.keySet()) {
            for (int i = 0; i < 6; i++) {
                assertEquals(a.get(user)[i], b.get(user)[i], 1e-6, user + "[" + i + "]");
            }
        }
    }

    @Test
    void word2vecEmbedsUsersWithTheirMeanTokenVector() {
        Dataset<Row> interactions = PlantedUsers.interactions(spark, 2, 5, 6, 1, "answer", 3L);
        EmbedOptions options = new EmbedOptions(UserEmbedder.WORD2VEC, 10, 1024, 1, 2, 42L);
        Map<String, float[]> e = byUser(new UserEmbedder(options).embed(interactions));
        assertEquals(11, e.size());
        for (Map.Entry<String, float[]> entry : e.entrySet()) {
            assertEquals(10, entry.getValue().length);
            assertEquals(1.0, norm(entry.getValue()), 1e-5, "norm of " + entry.getKey());
        }
        // same seed, same data: same vectors (re-running a run id gives the same embeddings)
        Map<String, float[]> again = byUser(new UserEmbedder(options).embed(interactions));
        for (String user : e.keySet()) {
            assertEquals(e.get(user)[0], again.get(user)[0], 1e-6, user);
        }
    }

    @Test
    void registeredMethodIsSelectableAndItsOutputNormalised() {
        EmbeddingMethod constant = new EmbeddingMethod() {
            @Override
            public String name() {
                return UserEmbedder.HIDDEN_STATE;
            }

            @Override
            public Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options) {
                return texts.select("user_id").distinct().selectExpr("user_id", "array(3.0D, 4.0D) as embedding");
            }
        };
        Dataset<Row> interactions = PlantedUsers.interactions(spark, 2, 2, 2, 0, "answer", 3L);
        UserEmbedder embedder = new UserEmbedder(EmbedOptions.of(UserEmbedder.HIDDEN_STATE, 2)).withMethod(constant);
        Map<String, float[]> e = byUser(embedder.embed(interactions));
        assertEquals(4, e.size());
        assertEquals(0.6f, e.get("g0u0")[0], 1e-6);
        assertEquals(0.8f, e.get("g0u0")[1], 1e-6);
    }

    @Test
    void unknownMethodAndWrongDimensionAreReported() {
        Dataset<Row> interactions = PlantedUsers.interactions(spark, 2, 2, 2, 0, "answer", 3L);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new UserEmbedder(EmbedOptions.of("bert", 4)).embed(interactions));
        assertTrue(unknown.getMessage().contains("embed.method 'bert'"), unknown.getMessage());
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
                () -> EmbedOptions.of(UserEmbedder.TFIDF_PCA, 2000));
        assertTrue(dim.getMessage().contains("embed.dim 2000 exceeds embed.num-features 1024"), dim.getMessage());
    }

    @Test
    void writeProducesParquetReadableWithTheSameRows(@TempDir File dir) {
        Dataset<Row> interactions = PlantedUsers.interactions(spark, 2, 3, 3, 1, "answer", 5L);
        String path = new File(dir, "user_embeddings").getPath();
        new UserEmbedder(EmbedOptions.of(UserEmbedder.TFIDF_PCA, 4)).write(interactions, path);
        SchemaContract.checkParquet(spark, "user_embeddings", path);
        Dataset<Row> back = spark.read().parquet(path);
        assertEquals(7, back.count());
        assertEquals(List.of("user_id", "embedding", "method"), List.of(back.columns()));
    }
}
