package org.proper.pipeline.io;

import java.nio.charset.StandardCharsets;

import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;

/**
 * Which shard an owner's tensors go to: {@code floorMod(murmur3_x86_32(utf8(owner_id), seed 42), numShards)}.
 * This is exactly Spark SQL's {@code pmod(hash(owner_id), numShards)}, so it is stable across JVMs, languages and
 * Spark jobs, and serving finds a user's shard without Spark.
 */
public final class AdapterShards {
    /** Spark's {@code hash()} seed. */
    public static final int SEED = 42;

    private AdapterShards() {}

    public static int shardOf(String ownerId, int numShards) {
        if (numShards <= 0) {
            throw new IllegalArgumentException("Cannot compute shard: numShards must be > 0, got " + numShards);
        }
        byte[] utf8 = ownerId.getBytes(StandardCharsets.UTF_8);
        int hash = Murmur3_x86_32.hashUnsafeBytes(utf8, Platform.BYTE_ARRAY_OFFSET, utf8.length, SEED);
        return Math.floorMod(hash, numShards);
    }

    /** Directory of a shard inside the adapters table ({@code shard=N}, Spark's partition layout). */
    public static String directoryName(int shard) {
        return "shard=" + shard;
    }
}
