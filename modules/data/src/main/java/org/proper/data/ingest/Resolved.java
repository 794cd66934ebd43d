package org.proper.data.ingest;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.proper.data.task.TaskMapping;

/** The resolved tables before writing: interactions (contract columns), quarantine (+ from_gold), merged units. */
record Resolved(Dataset<Row> interactions, Dataset<Row> quarantine, Dataset<Row> merged, TaskMapping mapping,
                List<Dataset<Row>> cached) {

    void unpersist() {
        cached.forEach(Dataset::unpersist);
    }
}
