package org.proper.pipeline.evaluate;

import java.util.ArrayList;
import java.util.List;

import org.proper.data.task.TaskMapping;
import org.proper.eval.metrics.TaskKind;
import org.proper.eval.metrics.TaskSpec;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.stages.IngestStage;
import org.proper.pipeline.train.ArtifactStore;

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

    /** The task of a run, as ingest recorded it. */
    public static TaskSpec ofRun(RunContext ctx) {
        return of(new ArtifactStore(ctx.layout(), ctx.hadoopConf()).get(IngestStage.TASK_MAPPING, TaskMapping.class));
    }

    /** The closed set of answers (labels, or every whole rating as text); empty for generation. */
    public static List<String> answers(TaskSpec task) {
        if (task.kind() == TaskKind.CLASSIFICATION) return task.labels();
        if (task.kind() == TaskKind.RATING) {
            List<String> out = new ArrayList<>();
            for (int r = (int) Math.round(task.minRating()); r <= (int) Math.round(task.maxRating()); r++) out.add(Integer.toString(r));
            return out;
        }
        return List.of();
    }
}
