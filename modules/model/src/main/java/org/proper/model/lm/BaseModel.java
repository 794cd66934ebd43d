package org.proper.model.lm;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Immutable base model: a config plus frozen weights keyed by Hugging Face tensor names (see {@link Architecture}),
 * so checkpoints map 1:1. Serializable for Spark broadcast.
 */
public final class BaseModel implements Serializable {
    private static final long serialVersionUID = 1L;
    private final ModelConfig config;
    private final LinkedHashMap<String, Tensor> weights;

    public BaseModel(ModelConfig config, Map<String, Tensor> weights) {
        this.config = config;
        this.weights = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : Architecture.weightShapes(config).entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t == null) throw new IllegalArgumentException("Cannot build base model: missing weight " + e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue()))
                throw new IllegalArgumentException("Cannot build base model: weight " + e.getKey() + " has shape "
                        + Arrays.toString(t.shape()) + ", config needs " + Arrays.toString(e.getValue()));
            this.weights.put(e.getKey(), t);
        }
    }

    /** GPT-2-style init: N(0, 0.02), output projections N(0, 0.02/sqrt(2L)), norm gains 1, biases 0. */
    public static BaseModel init(ModelConfig config, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> w = new LinkedHashMap<>();
        double residStd = 0.02 / Math.sqrt(2.0 * config.nLayers());
        for (Map.Entry<String, long[]> e : Architecture.weightShapes(config).entrySet()) {
            String n = e.getKey();
            Tensor t = Tensor.zeros(e.getValue());
            float[] a = t.data();
            if (Architecture.isNormGain(n)) {
                Arrays.fill(a, 1f);
            } else if (!n.endsWith(".bias")) {
                boolean resid = n.endsWith("c_proj.weight") || n.endsWith("o_proj.weight") || n.endsWith("down_proj.weight");
                double std = resid ? residStd : 0.02;
                for (int i = 0; i < a.length; i++) a[i] = (float) (gaussian(rnd) * std);
            }
            w.put(n, t);
        }
        return new BaseModel(config, w);
    }

    static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    public ModelConfig config() {
        return config;
    }

    public Map<String, Tensor> weights() {
        return Collections.unmodifiableMap(weights);
    }

    public Tensor weight(String name) {
        Tensor t = weights.get(name);
        if (t == null) throw new IllegalArgumentException("Cannot find weight " + name + " in " + config.family() + " model");
        return t;
    }

    public long parameterCount() {
        return weights.values().stream().mapToLong(Tensor::size).sum();
    }

    /** sha256 over (name, shape, little-endian float bytes) of every weight in order, hex. */
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(config.toString().getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, Tensor> e : weights.entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update(Arrays.toString(e.getValue().shape()).getBytes(StandardCharsets.UTF_8));
                float[] a = e.getValue().data();
                ByteBuffer bb = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(a);
                md.update(bb.array());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
