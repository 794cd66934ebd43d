package org.proper.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProperConfigTest {

    @Test
    void defaultsLoadAndValidate() {
        ProperConfig c = ProperConfig.defaults();
        assertEquals("local[2]", c.getString("proper.spark.master"));
        assertEquals(List.of("ffn"), c.getStringList("proper.lora.targets"));
        assertEquals(8, c.getInt("proper.lora.rank"));
    }

    @Test
    void overridesWinOverFileAndFileOverDefaults(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("my.conf");
        Files.writeString(f, "proper { lora.rank = 4, cluster.k = 6 }");
        ProperConfig c = ProperConfig.load(f, Map.of("proper.cluster.k", "3", "embed.method", "word2vec"));
        assertEquals(4, c.getInt("proper.lora.rank"));
        assertEquals(3, c.getInt("proper.cluster.k"));
        assertEquals("word2vec", c.getString("proper.embed.method"));
    }

    @Test
    void profilesIncludeTheDefaultsFile() {
        Path demo = Path.of("../../conf/demo.conf");
        ProperConfig c = ProperConfig.load(demo, Map.of());
        assertEquals(300, c.getInt("proper.synthetic.users"));
        assertEquals("tfidf-pca", c.getString("proper.embed.method"));
        for (String profile : List.of("cluster.conf", "gpu.conf")) {
            Path p = Path.of("../../conf", profile);
            if (Files.exists(p)) ProperConfig.load(p, Map.of());
        }
    }

    @Test
    void unknownKeyFailsNamingTheKeyAndTheAllowedOnes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ProperConfig.load(null, Map.of("proper.lora.rnak", "4")));
        assertTrue(e.getMessage().contains("proper.lora.rnak"), e.getMessage());
        assertTrue(e.getMessage().contains("rank"), e.getMessage());
    }

    @Test
    void badEnumValueFailsNamingKeyAndChoices() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ProperConfig.load(null, Map.of("cluster.algorithm", "dbscan")));
        assertTrue(e.getMessage().contains("proper.cluster.algorithm"), e.getMessage());
        assertTrue(e.getMessage().contains("gmm"), e.getMessage());
    }

    @Test
    void outOfRangeAndWrongTypeValuesFail() {
        assertThrows(ConfigException.class, () -> ProperConfig.load(null, Map.of("lora.rank", "0")));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ProperConfig.load(null, Map.of("lora.rank", "many")));
        assertTrue(e.getMessage().contains("proper.lora.rank"), e.getMessage());
        assertThrows(ConfigException.class, () -> ProperConfig.load(null, Map.of("lora.targets", "[ffn, mlp]")));
        assertThrows(ConfigException.class, () -> ProperConfig.load(null, Map.of("cluster.k-min", "9")));
    }

    @Test
    void missingConfigFileFailsNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> ProperConfig.load(missing, Map.of()));
        assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
    }

    @Test
    void freeFormSparkConfAcceptsAnyKey() {
        ProperConfig c = ProperConfig.load(null, Map.of("proper.spark.conf.\"spark.executor.memory\"", "4g"));
        assertEquals("4g", c.raw().getConfig("proper.spark.conf").getString("\"spark.executor.memory\""));
    }

    @Test
    void hashIsStableAndChangesWithContent() {
        assertEquals(ProperConfig.defaults().sha256(), ProperConfig.defaults().sha256());
        assertNotEquals(ProperConfig.defaults().sha256(),
                ProperConfig.load(null, Map.of("lora.rank", "4")).sha256());
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ProperConfig c = ProperConfig.load(null, Map.of("lora.rank", "4"));
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            ProperConfig back = (ProperConfig) in.readObject();
            assertEquals(4, back.getInt("proper.lora.rank"));
            assertEquals(c.sha256(), back.sha256());
        }
    }

    @Test
    void theManifestsJsonGivesBackTheSameConfig() {
        ProperConfig c = ProperConfig.load(null, Map.of("lora.rank", "2", "model.d-model", "16", "lora.targets", "[ffn, attn-q]"));
        ProperConfig back = ProperConfig.fromJson(c.toJson());
        assertEquals(c.sha256(), back.sha256());
        assertEquals(2, back.getInt("proper.lora.rank"));
        assertEquals(List.of("ffn", "attn-q"), back.getStringList("proper.lora.targets"));
        // keys missing from an older manifest fall back to the defaults; unknown keys are refused naming the key
        assertEquals(ProperConfig.defaults().getInt("proper.lora.rank"), ProperConfig.fromJson("{}").getInt("proper.lora.rank"));
        ConfigException e = assertThrows(ConfigException.class, () -> ProperConfig.fromJson("{\"lora\": {\"rnak\": 2}}"));
        assertTrue(e.getMessage().contains("proper.lora.rnak"), e.getMessage());
    }
}
