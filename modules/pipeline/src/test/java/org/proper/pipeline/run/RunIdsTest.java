package org.proper.pipeline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunIdsTest {
    @Test
    void runDateBecomesTheRunId() {
        assertEquals("2026-11-25", RunIds.resolve(null, "2026-11-25"));
    }

    @Test
    void explicitRunIdIsKept() {
        assertEquals("demo_1", RunIds.resolve("demo_1", null));
    }

    @Test
    void bothOrNeitherIsAnError() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> RunIds.resolve("a", "2026-11-25"));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunIds.resolve(null, " "));
    }

    @Test
    void badDateAndUnsafeIdAreNamed() {
        IllegalArgumentException date = assertThrows(IllegalArgumentException.class, () -> RunIds.resolve(null, "25/11/2026"));
        assertTrue(date.getMessage().contains("'25/11/2026'"), date.getMessage());
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class, () -> RunIds.resolve("../etc", null));
        assertTrue(id.getMessage().contains("'../etc'"), id.getMessage());
    }
}
