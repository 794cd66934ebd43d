package org.proper.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.model.infer.Composition;
import org.proper.model.infer.Generator;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tensor;

class HfCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void savedAndLoadedModelsGiveTheSameLogits() throws IOException {
        int[] tokens = new ByteTokenizer().encode("ARROW-1: parquet");
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel m = BaseModel.init(cfg, 3);
            Path d = dir.resolve(cfg.family().name());
            HfCheckpoint.save(m, d);
            BaseModel back = HfCheckpoint.load(d);
            assertEquals(m.config(), back.config());
            assertEquals(m.fingerprint(), back.fingerprint());
            float[][] a = Generator.logits(Composition.of(m), null, tokens), b = Generator.logits(Composition.of(back), null, tokens);
            for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], 0f);
        }
    }

    @Test
    void gpt2NamesFollowHuggingFace() throws IOException {
        HfCheckpoint.save(BaseModel.init(ModelConfig.tiny(), 1), dir);
        Map<String, Tensor> t = SafeTensors.read(dir.resolve("model.safetensors"));
        assertTrue(t.containsKey("wte.weight") && t.containsKey("h.1.mlp.c_fc.weight") && t.containsKey("ln_f.bias"), t.keySet().toString());
        assertArrayEquals(new long[]{32, 96}, t.get("h.0.attn.c_attn.weight").shape());
        String cfg = Files.readString(dir.resolve("config.json"));
        assertTrue(cfg.contains("\"model_type\" : \"gpt2\""), cfg);
    }

    @Test
    void readsTransformerPrefixF16AndBf16() throws IOException {
        // a hand-written file: header + F16 and BF16 data, as torch would save it
        String header = "{\"transformer.a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[4,8]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h);
        bb.putShort((short) 0x3E00).putShort((short) 0xC000);                      // 1.5, -2 in binary16
        bb.putShort((short) (Float.floatToIntBits(3f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
        Path f = dir.resolve("x.safetensors");
        Files.write(f, bb.array());
        Map<String, Tensor> t = SafeTensors.read(f);
        assertArrayEquals(new float[]{1.5f, -2f}, t.get("transformer.a").data());
        assertArrayEquals(new float[]{3f, -0.5f}, t.get("b").data());
    }

    @Test
    void missingTensorIsNamedInTheError() throws IOException {
        BaseModel m = BaseModel.init(ModelConfig.tiny(), 1);
        HfCheckpoint.save(m, dir);
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(m.weights());
        w.remove("h.1.ln_2.bias");
        SafeTensors.write(dir.resolve("model.safetensors"), w, Map.of());
        IOException e = assertThrows(IOException.class, () -> HfCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("h.1.ln_2.bias"), e.getMessage());
    }
}
