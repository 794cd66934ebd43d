package org.proper.model.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.proper.model.lm.Tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A pretrained checkpoint's {@code tokenizer.json} through DJL's HuggingFace tokenizers (Rust, native library bundled
 * in the jar for linux-x86_64). Fully offline: it is built from the file's text, never from a hub model name, and DJL
 * runs with {@code ai.djl.offline=true}. Serializable: the JSON text travels, the native tokenizer is rebuilt lazily.
 */
public final class HfTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    private static final List<String> EOS = List.of("<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>", "<|eot_id|>");
    private static final List<String> BOS = List.of("<s>", "<|begin_of_text|>", "<bos>");
    private static final List<String> PAD = List.of("<pad>", "<|pad|>", "[PAD]");

    private final String json;
    private final int vocabSize, eos, bos, pad;
    private transient HuggingFaceTokenizer native_;

    private HfTokenizer(String json, int vocabSize, int eos, int bos, int pad) {
        this.json = json;
        this.vocabSize = vocabSize;
        this.eos = eos;
        this.bos = bos;
        this.pad = pad;
    }

    /** Loads tokenizer.json (a file, or a checkpoint directory containing one). */
    public static HfTokenizer load(Path path) throws IOException {
        Path f = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.exists(f)) throw new IOException("Cannot load tokenizer: " + f + " does not exist");
        String json = Files.readString(f, StandardCharsets.UTF_8);
        JsonNode root = new ObjectMapper().readTree(json);
        int max = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) max = Math.max(max, it.next().asInt());
        else if (vocab.isArray()) max = vocab.size() - 1;                     // Unigram: [[piece, score], …]
        int eos = -1, bos = -1, pad = -1;
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.get("id").asInt();
            String c = t.get("content").asText();
            max = Math.max(max, id);
            if (eos < 0 && EOS.contains(c)) eos = id;
            if (bos < 0 && BOS.contains(c)) bos = id;
            if (pad < 0 && PAD.contains(c)) pad = id;
        }
        if (max < 0) throw new IOException("Cannot load tokenizer " + f + ": no vocabulary found");
        if (eos < 0) throw new IOException("Cannot load tokenizer " + f + ": no end-of-sequence token among " + EOS);
        HfTokenizer t = new HfTokenizer(json, max + 1, eos, bos, pad < 0 ? eos : pad);
        t.tokenizer();                                                        // fail now, not on first use
        return t;
    }

    private synchronized HuggingFaceTokenizer tokenizer() {
        if (native_ == null) {
            System.setProperty("ai.djl.offline", "true");
            try {
                native_ = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot build tokenizer from tokenizer.json", e);
            }
        }
        return native_;
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer().encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return tokenizer().decode(l, true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int eos() {
        return eos;
    }

    @Override
    public int pad() {
        return pad;
    }

    @Override
    public int bos() {
        return bos;
    }
}
