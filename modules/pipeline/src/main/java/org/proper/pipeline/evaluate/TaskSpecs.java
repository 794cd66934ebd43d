package org.proper.pipeline.evaluate;

import org.proper.data.task.TaskMapping;
import org.proper.eval.metrics.TaskSpec;

/** The evaluation's view of the task that ingest mapped (label set, rating range or generation). */
public final class TaskSpecs {
    private TaskSpecs() {}

    public static TaskSpec of(TaskMapping m) {
        return switch (m.kind()) {
            case CLASSIFICATION -> TaskSpec.classification(m.task(), m.labels());
            case RATING -> TaskSpec.rating(m.task(), m.ratingMin(), m.ratingMax());
            case GENERATION -> TaskSpec.generation(m.task());
        };
    }
}
