package org.proper.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proper.data.task.TaskMapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A new user's profile, read from a JSON file, as the texts the embed stage embeds a user from: per profile item its
 * rendered prompt, a space and its answer (a training row's input and output). Accepted shapes:
 * <ul>
 *   <li>a LaMP question {@code {"id": .., "input": .., "profile": [items]}} or a bare array of items, an item being an
 *       object with the task's fields (e.g. {@code {"id": "1", "description": "..", "tag": "comedy"}}); an item that
 *       lacks a field of the task's template contributes its string values instead;</li>
 *   <li>an array of strings, used as they are.</li>
 * </ul>
 */
public final class ProfileTexts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProfileTexts() {}

    /** @throws IllegalArgumentException naming the file when it is not JSON of an accepted shape or has no text */
    public static List<String> read(Path file, TaskMapping task) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read profile " + file + ": " + e.getMessage(), e);
        }
        JsonNode items = root != null && root.isObject() ? root.get("profile") : root;
        if (items == null || !items.isArray()) {
            throw new IllegalArgumentException("Cannot read profile " + file
                    + ": expected a JSON array of profile items or strings, or an object with a \"profile\" array");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode item : items) {
            if (item.isTextual()) {
                if (!item.asText().isBlank()) texts.add(item.asText());
            } else if (item.isObject()) {
                texts.add(itemText(item, task));
            } else {
                throw new IllegalArgumentException("Cannot read profile " + file + ": item " + item + " is neither an object nor a string");
            }
        }
        texts.removeIf(String::isBlank);
        if (texts.isEmpty()) throw new IllegalArgumentException("Cannot read profile " + file + ": it has no text");
        return texts;
    }

    static String itemText(JsonNode item, TaskMapping task) {
        Map<String, String> fields = new LinkedHashMap<>();
        item.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) fields.put(e.getKey(), e.getValue().asText());
        });
        if (fields.keySet().containsAll(task.requiredFields())) {
            return task.render(fields) + " " + fields.get(task.answerField());
        }
        fields.remove("id");
        return String.join(" ", fields.values());
    }
}
