package org.proper.data.ingest;

import java.io.Serializable;

/** One record of one input file, as bytes, before decoding: a JSON array element, a JSON line or a CSV record. */
public record RawRecord(String source, long position, byte[] bytes) implements Serializable {}
