package org.proper.data.task;

import java.util.List;

/** The label set of the synthetic tagging task, shared by the generator and its predefined mapping. */
public final class SyntheticVocabulary {
    public static final List<String> TAGS = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel");

    private SyntheticVocabulary() {}
}
