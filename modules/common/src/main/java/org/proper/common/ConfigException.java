package org.proper.common;

/** A configuration problem; the message names the key or file and what is allowed. Maps to exit code 2. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
