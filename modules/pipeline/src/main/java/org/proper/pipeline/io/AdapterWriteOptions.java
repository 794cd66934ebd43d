package org.proper.pipeline.io;

import java.util.Set;

/**
 * Options of the adapters table writer.
 *
 * @param numShards   number of shards (partitions by owner hash); fixed for the lifetime of a run
 * @param compression Parquet codec: snappy (default), zstd, gzip, lz4, none/uncompressed
 */
public record AdapterWriteOptions(int numShards, String compression) {
    private static final Set<String> CODECS = Set.of("snappy", "zstd", "gzip", "lz4", "none", "uncompressed");

    public AdapterWriteOptions {
        if (numShards < 1 || numShards > 100_000) {
            throw new IllegalArgumentException("Cannot write adapters: adapters.shards must be in 1..100000, got " + numShards);
        }
        if (compression == null || !CODECS.contains(compression)) {
            throw new IllegalArgumentException("Cannot write adapters: adapters.compression '" + compression + "' is not one of " + CODECS);
        }
    }

    public static AdapterWriteOptions shards(int numShards) {
        return new AdapterWriteOptions(numShards, "snappy");
    }
}
