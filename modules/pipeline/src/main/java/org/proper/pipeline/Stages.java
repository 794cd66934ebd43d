package org.proper.pipeline;

import java.util.List;

import org.proper.pipeline.stages.ClusterStage;
import org.proper.pipeline.stages.EmbedStage;
import org.proper.pipeline.stages.EvaluateStage;
import org.proper.pipeline.stages.GroupStage;
import org.proper.pipeline.stages.IngestStage;
import org.proper.pipeline.stages.PopulationStage;
import org.proper.pipeline.stages.PublishStage;
import org.proper.pipeline.stages.UserStage;

/** The implementations of every stage, in run order. */
public final class Stages {
    private Stages() {}

    public static List<Stage> all() {
        return List.of(new IngestStage(), new EmbedStage(), new ClusterStage(), new PopulationStage(), new GroupStage(),
                new UserStage(), new EvaluateStage(), new PublishStage());
    }
}
