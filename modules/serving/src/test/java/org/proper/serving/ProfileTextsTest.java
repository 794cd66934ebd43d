package org.proper.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.data.task.TaskMapping;
import org.proper.data.task.TaskMappings;

/** A new user's profile file becomes the texts the embed stage would have embedded (rendered prompt, space, answer). */
class ProfileTextsTest {
    private static final TaskMapping LAMP2 = TaskMappings.predefined("LaMP_2").orElseThrow();

    @TempDir
    Path dir;

    private Path write(String json) throws Exception {
        Path f = dir.resolve("profile.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void itemsWithTheTasksFieldsAreRenderedLikeIngestedTrainingRows() throws Exception {
        String rendered = LAMP2.render(Map.of("description", "a heist goes wrong"));
        List<String> want = List.of(rendered + " action", LAMP2.render(Map.of("description", "two robots fall in love")) + " romance");
        String items = "[{\"id\": \"1\", \"description\": \"a heist goes wrong\", \"tag\": \"action\"},"
                + " {\"id\": \"2\", \"description\": \"two robots fall in love\", \"tag\": \"romance\"}]";
        assertEquals(want, ProfileTexts.read(write(items), LAMP2));
        // a LaMP question carries the same items under "profile"
        assertEquals(want, ProfileTexts.read(write("{\"id\": \"q\", \"input\": \"ignored\", \"profile\": " + items + "}"), LAMP2));
    }

    @Test
    void stringsAreTakenAsTheyAreAndItemsWithoutTheTemplatesFieldsByTheirValues() throws Exception {
        assertEquals(List.of("likes heists", "and robots"), ProfileTexts.read(write("[\"likes heists\", \" \", \"and robots\"]"), LAMP2));
        assertEquals(List.of("a note comedy"), ProfileTexts.read(write("[{\"id\": \"9\", \"text\": \"a note\", \"tag\": \"comedy\"}]"), LAMP2));
    }

    @Test
    void badFilesAreRefusedNamingTheFile() throws Exception {
        Path notJson = write("{not json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileTexts.read(notJson, LAMP2));
        assertTrue(e.getMessage().contains(notJson.toString()), e.getMessage());
        Path noProfile = write("{\"id\": \"q\"}");
        e = assertThrows(IllegalArgumentException.class, () -> ProfileTexts.read(noProfile, LAMP2));
        assertTrue(e.getMessage().contains("\"profile\" array"), e.getMessage());
        Path empty = write("[]");
        e = assertThrows(IllegalArgumentException.class, () -> ProfileTexts.read(empty, LAMP2));
        assertTrue(e.getMessage().contains("no text"), e.getMessage());
        Path numbers = write("[1, 2]");
        e = assertThrows(IllegalArgumentException.class, () -> ProfileTexts.read(numbers, LAMP2));
        assertTrue(e.getMessage().contains("neither an object nor a string"), e.getMessage());
    }
}
