package org.proper.model.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.model.lm.Architecture;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Family;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hugging Face checkpoint directories ({@code config.json} + {@code model.safetensors}) for GPT-2
 * ({@code model_type: gpt2}) and Llama ({@code model_type: llama}). Reading accepts the {@code transformer.} prefix of
 * GPT2LMHeadModel and skips buffers ({@code attn.bias}, {@code attn.masked_bias}) and a tied {@code lm_head.weight}.
 */
public final class HfCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfCheckpoint() {
    }

    public static BaseModel load(Path dir) throws IOException {
        return load(dir, Integer.MAX_VALUE);
    }

    /** Loads a checkpoint; maxSeqLenCap caps a Llama's max_position_embeddings (GPT-2 keeps n_positions). */
    public static BaseModel load(Path dir, int maxSeqLenCap) throws IOException {
        Path cfgFile = dir.resolve("config.json"), st = dir.resolve("model.safetensors");
        if (!Files.exists(cfgFile)) throw new IOException("Cannot load checkpoint " + dir + ": no config.json");
        if (!Files.exists(st)) throw new IOException("Cannot load checkpoint " + dir + ": no model.safetensors (sharded or .bin checkpoints are not supported)");
        ModelConfig cfg = config(JSON.readTree(cfgFile.toFile()), maxSeqLenCap);
        Map<String, Tensor> raw = SafeTensors.read(st), w = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : raw.entrySet()) {
            String n = e.getKey();
            if (cfg.family() == Family.GPT2 && n.startsWith("transformer.")) n = n.substring("transformer.".length());
            w.put(n, e.getValue());
        }
        Map<String, long[]> shapes = Architecture.weightShapes(cfg);
        if (cfg.family() == Family.GPT2 && w.containsKey("wpe.weight") && w.get("wpe.weight").dim(0) > cfg.maxSeqLen()) {
            Tensor wpe = w.get("wpe.weight");                                  // keep the first maxSeqLen positions
            int d = (int) wpe.dim(1);
            float[] cut = java.util.Arrays.copyOf(wpe.data(), cfg.maxSeqLen() * d);
            w.put("wpe.weight", new Tensor(new long[]{cfg.maxSeqLen(), d}, cut));
        }
        Map<String, Tensor> kept = new LinkedHashMap<>();
        for (String n : shapes.keySet()) {
            Tensor t = w.get(n);
            if (t == null) throw new IOException("Cannot load checkpoint " + dir + ": tensor " + n + " is missing");
            kept.put(n, t);
        }
        return new BaseModel(cfg, kept);
    }

    static ModelConfig config(JsonNode c, int maxSeqLenCap) throws IOException {
        String type = c.path("model_type").asText("");
        if (type.equals("gpt2")) {
            int d = c.get("n_embd").asInt();
            int inner = c.path("n_inner").isNull() || c.path("n_inner").isMissingNode() ? 4 * d : c.get("n_inner").asInt();
            int pos = Math.min(c.get("n_positions").asInt(), maxSeqLenCap);
            String act = c.path("activation_function").asText("gelu_new");
            if (!act.equals("gelu_new")) throw new IOException("Cannot load GPT-2 checkpoint: activation_function " + act + " is not supported (gelu_new only)");
            int h = c.get("n_head").asInt();
            return new ModelConfig(Family.GPT2, c.get("vocab_size").asInt(), d, c.get("n_layer").asInt(), h, h, inner, pos,
                    c.path("layer_norm_epsilon").asDouble(1e-5), 10000.0, true);
        }
        if (type.equals("llama")) {
            String act = c.path("hidden_act").asText("silu");
            if (!act.equals("silu")) throw new IOException("Cannot load Llama checkpoint: hidden_act " + act + " is not supported (silu only)");
            if (c.hasNonNull("rope_scaling")) throw new IOException("Cannot load Llama checkpoint: rope_scaling is not supported");
            int h = c.get("num_attention_heads").asInt();
            int d = c.get("hidden_size").asInt();
            if (c.hasNonNull("head_dim") && c.get("head_dim").asInt() != d / h)
                throw new IOException("Cannot load Llama checkpoint: head_dim " + c.get("head_dim").asInt() + " != hidden_size / heads");
            return new ModelConfig(Family.LLAMA, c.get("vocab_size").asInt(), d, c.get("num_hidden_layers").asInt(), h,
                    c.path("num_key_value_heads").asInt(h), c.get("intermediate_size").asInt(),
                    Math.min(c.path("max_position_embeddings").asInt(2048), maxSeqLenCap), c.path("rms_norm_eps").asDouble(1e-6),
                    c.path("rope_theta").asDouble(10000.0), c.path("tie_word_embeddings").asBoolean(false));
        }
        throw new IOException("Cannot load checkpoint: model_type '" + type + "' is not supported (gpt2, llama)");
    }

    /** Writes config.json and model.safetensors (F32, HF names) into dir. */
    public static void save(BaseModel model, Path dir) throws IOException {
        Files.createDirectories(dir);
        ModelConfig c = model.config();
        ObjectNode j = JSON.createObjectNode();
        if (c.family() == Family.GPT2) {
            j.put("model_type", "gpt2");
            j.putArray("architectures").add("GPT2LMHeadModel");
            j.put("vocab_size", c.vocabSize());
            j.put("n_embd", c.dModel());
            j.put("n_layer", c.nLayers());
            j.put("n_head", c.nHeads());
            j.put("n_inner", c.dFfn());
            j.put("n_positions", c.maxSeqLen());
            j.put("n_ctx", c.maxSeqLen());
            j.put("layer_norm_epsilon", c.normEps());
            j.put("activation_function", "gelu_new");
            j.put("tie_word_embeddings", true);
        } else {
            j.put("model_type", "llama");
            j.putArray("architectures").add("LlamaForCausalLM");
            j.put("vocab_size", c.vocabSize());
            j.put("hidden_size", c.dModel());
            j.put("num_hidden_layers", c.nLayers());
            j.put("num_attention_heads", c.nHeads());
            j.put("num_key_value_heads", c.nKvHeads());
            j.put("intermediate_size", c.dFfn());
            j.put("max_position_embeddings", c.maxSeqLen());
            j.put("rms_norm_eps", c.normEps());
            j.put("rope_theta", c.ropeTheta());
            j.put("hidden_act", "silu");
            j.put("tie_word_embeddings", c.tieEmbeddings());
        }
        j.put("torch_dtype", "float32");
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), j);
        SafeTensors.write(dir.resolve("model.safetensors"), model.weights(), Map.of("format", "pt", "proper.fingerprint", model.fingerprint()));
    }
}
