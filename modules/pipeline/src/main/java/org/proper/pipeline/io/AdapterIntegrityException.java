package org.proper.pipeline.io;

/** A stored adapter tensor does not match its sha256 (or its shape/dtype): the message names the Parquet file. */
public final class AdapterIntegrityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;

    public AdapterIntegrityException(String file, String detail) {
        super("Corrupt adapter tensor in " + file + ": " + detail);
        this.file = file;
    }

    public String file() {
        return file;
    }
}
