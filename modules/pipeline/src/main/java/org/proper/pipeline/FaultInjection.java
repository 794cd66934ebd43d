package org.proper.pipeline;

import org.apache.spark.TaskContext;

/**
 * Test hooks for the fault-tolerance tests, off unless the system property is set (on the JVM that runs the tasks):
 * {@code proper.fault.stop-after-shards=N} stops the user stage after N committed shards (as a killed driver would);
 * {@code proper.fault.fail-first-attempt=true} makes the first attempt of every user-training task fail (Spark
 * retries it).
 */
public final class FaultInjection {
    private FaultInjection() {}

    public static void afterShardCommitted(int committedNow) {
        String v = System.getProperty("proper.fault.stop-after-shards");
        if (v != null && committedNow >= Integer.parseInt(v)) {
            throw new IllegalStateException("Injected fault: user stage stopped after " + committedNow + " committed shards");
        }
    }

    public static void inUserTask() {
        TaskContext tc = TaskContext.get();
        if (Boolean.getBoolean("proper.fault.fail-first-attempt") && tc != null && tc.attemptNumber() == 0) {
            throw new IllegalStateException("Injected fault: first attempt of task " + tc.taskAttemptId() + " fails");
        }
    }
}
