package org.proper.common;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Canonical JSON (keys sorted at every level) so that equal content hashes equal. */
public final class Canonical {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Canonical() {}

    public static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(sorted(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot render canonical JSON: " + e.getMessage(), e);
        }
    }

    private static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            TreeMap<String, Object> t = new TreeMap<>();
            m.forEach((k, x) -> t.put(String.valueOf(k), sorted(x)));
            return t;
        }
        if (v instanceof List<?> l) return l.stream().map(Canonical::sorted).toList();
        return v;
    }
}
