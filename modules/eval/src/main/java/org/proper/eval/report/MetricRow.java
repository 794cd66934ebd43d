package org.proper.eval.report;

import java.io.Serializable;

/**
 * One row of the run's {@code metrics} table (DESIGN §5): method string!, scope string! (overall|bucket|user),
 * bucket string?, user_id string?, metric string!, value double!, n long!. Field names match the columns, so
 * {@code spark.createDataFrame(rows, MetricRow.class)}-style bean encoders are not needed: use the accessors.
 */
public record MetricRow(String method, String scope, String bucket, String userId, String metric, double value, long n)
        implements Serializable {
    public static final String OVERALL = "overall";
    public static final String BUCKET = "bucket";
    public static final String USER = "user";

    public MetricRow {
        if (method == null || metric == null) {
            throw new IllegalArgumentException("Cannot create metric row: method and metric must be set");
        }
        if (!OVERALL.equals(scope) && !BUCKET.equals(scope) && !USER.equals(scope)) {
            throw new IllegalArgumentException("Cannot create metric row: scope '" + scope + "' is not overall, bucket or user");
        }
        if (BUCKET.equals(scope) && bucket == null) {
            throw new IllegalArgumentException("Cannot create metric row: scope bucket needs a bucket");
        }
        if (USER.equals(scope) && userId == null) {
            throw new IllegalArgumentException("Cannot create metric row: scope user needs a user_id");
        }
    }
}
