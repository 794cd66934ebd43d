package org.proper.data.schema;

/** A table's schema differs from its contract in data-schemas/; the message names the table, field and mismatch. */
public final class SchemaMismatchException extends IllegalStateException {
    public SchemaMismatchException(String message) {
        super(message);
    }
}
