package org.proper.pipeline.io;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * One adapter tensor, independent of the model classes: the lead converts model objects to and from it.
 *
 * @param level   population | group | router | user
 * @param ownerId "population", the group id as a string, "router", or the user id
 * @param module  target module name, e.g. {@code h.0.mlp.c_fc}
 * @param tensor  A | B | R | centroids | v | …
 * @param shape   dimensions, row-major; product equals {@code data.length}
 * @param data    values, row-major
 */
public record TensorRecord(String level, String ownerId, String module, String tensor, int[] shape, float[] data)
        implements Serializable {

    public static final Set<String> LEVELS = Set.of("population", "group", "router", "user");

    public TensorRecord {
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException("Cannot create tensor record: level '" + level + "' is not one of " + LEVELS);
        }
        requireText("ownerId", ownerId);
        requireText("module", module);
        requireText("tensor", tensor);
        Objects.requireNonNull(shape, "Cannot create tensor record: shape is null");
        Objects.requireNonNull(data, "Cannot create tensor record: data is null");
        long elements = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Cannot create tensor record " + ownerId + "/" + module + "/" + tensor
                        + ": negative dimension in shape " + Arrays.toString(shape));
            }
            elements *= d;
        }
        if (elements != data.length) {
            throw new IllegalArgumentException("Cannot create tensor record " + ownerId + "/" + module + "/" + tensor
                    + ": shape " + Arrays.toString(shape) + " holds " + elements + " values but data has " + data.length);
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("Cannot create tensor record: " + field + " is empty");
        }
    }

    /** level/owner/module/tensor: unique within a run's adapters table. */
    public String key() {
        return level + "/" + ownerId + "/" + module + "/" + tensor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorRecord r && level.equals(r.level) && ownerId.equals(r.ownerId) && module.equals(r.module)
                && tensor.equals(r.tensor) && Arrays.equals(shape, r.shape) && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(level, ownerId, module, tensor, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "TensorRecord[" + key() + " " + Arrays.toString(shape) + "]";
    }
}
