package org.proper.eval.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.TaskSpec;
import org.proper.eval.report.ComparisonTable;
import org.proper.eval.report.ComparisonTableBuilder;
import org.proper.eval.report.ExampleResult;
import org.proper.eval.report.LampTestData;
import org.proper.eval.report.MarkdownTable;
import org.proper.eval.report.Methods;
import org.proper.eval.report.ProfileBucket;

class UserMajorityGenerationTest {

    @Test
    void mostRecentTitleBaselineOnKafkaTitlesScoresBetweenEmptyAndPerfect() throws IOException {
        LampTestData data = LampTestData.load("kafka-titles", "test", "title");
        TaskSpec task = TaskSpec.generation("commit-title");
        List<ExampleResult> results = new ArrayList<>();
        for (LampTestData.Query query : data.queries()) {
            String prediction = UserMajority.predictUser(task, query.profile()).orElse("");
            results.add(new ExampleResult(Methods.USER_MAJORITY, query.userId(), query.profile().size(), query.gold(),
                    prediction));
            results.add(new ExampleResult("copy-gold", query.userId(), query.profile().size(), query.gold(),
                    query.gold()));
        }
        ComparisonTable table = ComparisonTableBuilder.of("kafka-titles", task, results);
        ComparisonTable.Row baseline = table.row(Methods.USER_MAJORITY);
        assertEquals(195, baseline.overall().n()); // README: 195 users, one test query each
        double rouge1 = baseline.overall().get(Metric.ROUGE_1);
        double rougeL = baseline.overall().get(Metric.ROUGE_L);
        assertTrue(rouge1 > 0.02 && rouge1 < 0.6, "ROUGE-1 " + rouge1);
        assertTrue(rougeL > 0.02 && rougeL <= rouge1, "ROUGE-L " + rougeL + " cannot exceed ROUGE-1 " + rouge1);
        ComparisonTable.Row perfect = table.row("copy-gold");
        for (ProfileBucket bucket : ProfileBucket.STANDARD) {
            if (perfect.bucket(bucket).n() > 0) {
                assertEquals(1.0, perfect.bucket(bucket).get(Metric.ROUGE_1), 1e-12, "copying the gold in " + bucket);
            }
        }
        System.out.println(MarkdownTable.render(table));
    }
}
