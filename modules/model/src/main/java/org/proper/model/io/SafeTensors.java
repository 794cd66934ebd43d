package org.proper.model.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.model.lm.Tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The safetensors format: 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then little-endian data.
 * Reads F32, F16, BF16 and F64 (converted to float); writes F32.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {
    }

    public static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > 100_000_000 || 8 + headerLen > ch.size())
                throw new IOException("Cannot read safetensors " + file + ": bad header length " + headerLen);
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLen;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                JsonNode t = e.getValue();
                String dtype = t.get("dtype").asText();
                long[] shape = new long[t.get("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.get("shape").get(i).asLong();
                    n *= shape[i];
                }
                long begin = t.get("data_offsets").get(0).asLong(), end = t.get("data_offsets").get(1).asLong();
                int width = switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    case "F64" -> 8;
                    default -> throw new IOException("Cannot read safetensors " + file + ": tensor " + e.getKey() + " has unsupported dtype " + dtype);
                };
                if (end - begin != n * width || dataStart + end > ch.size())
                    throw new IOException("Cannot read safetensors " + file + ": tensor " + e.getKey() + " offsets [" + begin + ", " + end + ") do not match its shape");
                ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, buf, dataStart + begin);
                buf.flip();
                float[] d = new float[Math.toIntExact(n)];
                for (int i = 0; i < d.length; i++) {
                    d[i] = switch (dtype) {
                        case "F32" -> buf.getFloat();
                        case "F64" -> (float) buf.getDouble();
                        case "BF16" -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                        default -> halfToFloat(buf.getShort());
                    };
                }
                out.put(e.getKey(), new Tensor(shape, d));
            }
            return out;
        }
    }

    /** IEEE 754 binary16 → float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff, sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));           // inf / NaN
        if (exp == 0) {                                                                            // zero / subnormal
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) throw new IOException("Cannot read safetensors: unexpected end of file");
        }
    }

    /** Writes tensors as F32 in the given order, with optional string metadata. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long off = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode s = t.putArray("shape");
            for (long d : e.getValue().shape()) s.add(d);
            long len = 4L * e.getValue().size();
            t.putArray("data_offsets").add(off).add(off + len);
            off += len;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int pad = (8 - h.length % 8) % 8;                                 // align data to 8 bytes (spaces are valid JSON)
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        for (int i = h.length; i < hp.length; i++) hp[i] = ' ';
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream os = Files.newOutputStream(file)) {
            ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length);
            os.write(lb.array());
            os.write(hp);
            for (Tensor t : tensors.values()) {
                ByteBuffer bb = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(t.data());
                os.write(bb.array());
            }
        }
    }
}
