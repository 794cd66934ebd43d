package org.proper.data.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The intermediate row every parser emits: one candidate interaction (a query, a gold, a profile item, a log row) or
 * one rejected record. Ingest then joins, dedupes and splits these into interactions and quarantine.
 */
final class Unit {

    static final String QUERY = "query", GOLD = "gold", PROFILE = "profile", LOG = "log", BAD = "bad";
    static final int RAW_LIMIT = 4096;

    static final StructType SCHEMA = new StructType()
            .add("kind", DataTypes.StringType, false)
            .add("source", DataTypes.StringType, false)
            .add("position", DataTypes.LongType, false)
            .add("sub", DataTypes.IntegerType, false)      // profile index inside a question, else -1
            .add("user_id", DataTypes.StringType)
            .add("item_id", DataTypes.StringType)
            .add("split", DataTypes.StringType)
            .add("input", DataTypes.StringType)
            .add("output", DataTypes.StringType)
            .add("timestamp", DataTypes.LongType)
            .add("reason", DataTypes.StringType)
            .add("detail", DataTypes.StringType)
            .add("raw", DataTypes.StringType);

    private Unit() {}

    static Row good(String kind, String source, long position, int sub, String user, String item, String split,
                    String input, String output, Long timestamp, String raw) {
        return RowFactory.create(kind, source, position, sub, user, item, split, input, output, timestamp,
                null, null, truncate(raw));
    }

    static Row bad(String source, long position, String reason, String detail, String raw) {
        return RowFactory.create(BAD, source, position, -1, null, null, null, null, null, null, reason, detail,
                truncate(raw));
    }

    static String truncate(String s) {
        return s == null || s.length() <= RAW_LIMIT ? s : s.substring(0, RAW_LIMIT);
    }

    /** Decodes strictly: invalid UTF-8 throws. */
    static String strictUtf8(byte[] bytes) throws CharacterCodingException {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
        return chars.toString();
    }

    /** Decodes replacing invalid bytes, for the quarantine's raw column. */
    static String lenientUtf8(byte[] bytes) {
        int n = Math.min(bytes.length, RAW_LIMIT * 4);
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}
