package org.proper.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.proper.data.task.TaskMappings;

class LampParserTest {

    @Test
    void prettyPrintedOutputsObjectYieldsOneGoldPerEntry() throws Exception {
        String json = "{\n\"task\": \"commit-component\",\n\"golds\": [\n{\n\"id\": \"a-dev\",\n\"output\": \"C++\"\n},\n"
                + "{\n\"id\": \"b-dev\",\n\"output\": \"Go\"\n}\n]\n}\n";
        List<Row> rows = LampParser.goldObject("f", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "dev",
                TaskMappings.predefined("commit-component").orElseThrow(), 1000);
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("gold", rows.get(0).getString(0));
        assertEquals("Go", rows.get(1).getString(8));
        assertEquals(1L, rows.get(1).getLong(2));
    }
}
