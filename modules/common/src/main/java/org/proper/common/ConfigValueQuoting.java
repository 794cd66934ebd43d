package org.proper.common;

/** Quotes a -D override value as a HOCON string unless it is a plain number or boolean. */
final class ConfigValueQuoting {
    private ConfigValueQuoting() {}

    static String quote(String v) {
        if (v.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?") || v.equals("true") || v.equals("false")) return v;
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
