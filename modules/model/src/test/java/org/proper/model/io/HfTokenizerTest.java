package org.proper.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.model.lm.Tokenizer;

class HfTokenizerTest {
    /** A byte-level BPE tokenizer.json like GPT-2's, with a 2-merge vocabulary, written by hand. */
    static String bpeJson() {
        StringBuilder vocab = new StringBuilder();
        // GPT-2 byte-level alphabet for printable ASCII maps to itself; 'Ġ' (U+0120) is the space
        int id = 0;
        for (char c = '!'; c <= '~'; c++) {
            String k = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : String.valueOf(c);
            vocab.append('"').append(k).append("\":").append(id++).append(',');
        }
        vocab.append("\"\\u0120\":").append(id++).append(',');
        vocab.append("\"ka\":").append(id++).append(',');
        vocab.append("\"\\u0120ka\":").append(id++);
        int eos = id;
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
                + "\"added_tokens\":[{\"id\":" + eos + ",\"content\":\"<|endoftext|>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                + "\"normalizer\":null,"
                + "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true},"
                + "\"post_processor\":null,"
                + "\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},"
                + "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":\"\",\"end_of_word_suffix\":\"\",\"fuse_unk\":false,\"byte_fallback\":false,"
                + "\"vocab\":{" + vocab + "},\"merges\":[\"k a\",\"\\u0120 ka\"]}}";
    }

    @Test
    void encodesDecodesOfflineAndSurvivesSerialization(@TempDir Path dir) throws IOException, ClassNotFoundException {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, bpeJson());
        HfTokenizer t = HfTokenizer.load(dir);
        int[] ids = t.encode("kafka ka");
        assertEquals("kafka ka", t.decode(ids));
        int ka = 94 + 1, spaceKa = 94 + 2;                                    // merged pieces exist
        assertEquals(ka, ids[0], java.util.Arrays.toString(ids));
        assertEquals(spaceKa, ids[ids.length - 1], java.util.Arrays.toString(ids));
        assertEquals(98, t.vocabSize());
        assertEquals(97, t.eos());
        assertEquals(97, t.pad());
        assertEquals(-1, t.bos());
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bo)) {
            o.writeObject(t);
        }
        Tokenizer back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bo.toByteArray()))) {
            back = (Tokenizer) in.readObject();
        }
        assertArrayEquals(ids, back.encode("kafka ka"));
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }
}
