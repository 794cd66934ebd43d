package org.proper.pipeline;

import java.util.Map;

/** One step of a run. Its outputs must be fully written when {@link #run} returns; the runner then marks it done. */
public interface Stage {
    StageName name();

    /** @return a small summary (counts, sizes, metrics) recorded in the stage's summary and the run's manifest */
    Map<String, Object> run(RunContext ctx) throws Exception;
}
