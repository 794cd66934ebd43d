package org.proper.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proper.eval.baseline.TrainingOutput;
import org.proper.eval.baseline.UserMajority;
import org.proper.eval.metrics.ExampleScorer;
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.MetricAccumulator;
import org.proper.eval.metrics.TaskSpec;

class ComparisonTableTest {
    private static final TaskSpec ABC = TaskSpec.classification("abc", List.of("A", "B", "C"));

    /** Two methods, users in buckets 1-4 (u1: 2 items, u2: 4), 5-19 (u3: 5) and 100+ (u4: 100). */
    static List<ExampleResult> results() {
        return List.of(
                new ExampleResult("PROPER", "u1", 2, "A", "A"),
                new ExampleResult("PROPER", "u2", 4, "B", "B"),
                new ExampleResult("PROPER", "u3", 5, "C", "A"),
                new ExampleResult("PROPER", "u4", 100, "A", "A"),
                new ExampleResult("population", "u1", 2, "A", "B"),
                new ExampleResult("population", "u2", 4, "B", "B"),
                new ExampleResult("population", "u3", 5, "C", "C"),
                new ExampleResult("population", "u4", 100, "A", "nonsense"));
    }

    @Test
    void bucketsFollowTheProfileLengthBoundaries() {
        assertEquals(ProfileBucket.COLD, ProfileBucket.of(0));
        assertEquals(ProfileBucket.SPARSE, ProfileBucket.of(1));
        assertEquals(ProfileBucket.SPARSE, ProfileBucket.of(4));
        assertEquals(ProfileBucket.SMALL, ProfileBucket.of(5));
        assertEquals(ProfileBucket.SMALL, ProfileBucket.of(19));
        assertEquals(ProfileBucket.MEDIUM, ProfileBucket.of(20));
        assertEquals(ProfileBucket.MEDIUM, ProfileBucket.of(99));
        assertEquals(ProfileBucket.LARGE, ProfileBucket.of(100));
        assertEquals(ProfileBucket.LARGE, ProfileBucket.of(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> ProfileBucket.of(-1));
        assertEquals(ProfileBucket.MEDIUM, ProfileBucket.fromLabel("20-99"));
    }

    @Test
    void tableHasMethodsInCanonicalOrderWithOverallAndBucketValues() {
        ComparisonTable table = ComparisonTableBuilder.of("toy", ABC, results());
        assertEquals(List.of("population", "PROPER"), table.rows().stream().map(ComparisonTable.Row::method).toList());
        assertEquals(ProfileBucket.STANDARD, table.buckets());
        ComparisonTable.Row proper = table.row("PROPER");
        assertEquals(0.75, proper.overall().get(Metric.ACCURACY), 1e-12);
        assertEquals(4, proper.overall().n());
        // PROPER: A TP2 -> 1 ... A: TP2 FP1 -> 4/5; B: TP1 -> 1; C: FN1 -> 0 => (0.8 + 1 + 0) / 3
        assertEquals(1.8 / 3, proper.overall().get(Metric.MACRO_F1), 1e-12);
        assertEquals(1.0, proper.bucket(ProfileBucket.SPARSE).get(Metric.ACCURACY));
        assertEquals(2, proper.bucket(ProfileBucket.SPARSE).n());
        assertEquals(0.0, proper.bucket(ProfileBucket.SMALL).get(Metric.ACCURACY));
        assertEquals(0, proper.bucket(ProfileBucket.MEDIUM).n());
        assertTrue(Double.isNaN(proper.bucket(ProfileBucket.MEDIUM).get(Metric.ACCURACY)));
        ComparisonTable.Row population = table.row("population");
        assertEquals(0.5, population.overall().get(Metric.ACCURACY), 1e-12);
        assertEquals(0.5, population.bucket(ProfileBucket.SPARSE).get(Metric.ACCURACY), 1e-12);
        assertEquals(0.0, population.bucket(ProfileBucket.LARGE).get(Metric.ACCURACY));
    }

    @Test
    void coldStartUsersAddAZeroBucketColumn() {
        List<ExampleResult> withCold = new ArrayList<>(results());
        withCold.add(new ExampleResult("PROPER", "new-user", 0, "B", "B"));
        ComparisonTable table = ComparisonTableBuilder.of("toy", ABC, withCold);
        assertEquals(ProfileBucket.COLD, table.buckets().get(0));
        assertEquals(1, table.row("PROPER").bucket(ProfileBucket.COLD).n());
    }

    @Test
    void mergingPartialAccumulatorsGivesTheSameTableAsAddingResults() {
        ExampleScorer scorer = new ExampleScorer(ABC);
        ComparisonTableBuilder builder = new ComparisonTableBuilder("toy", ABC);
        for (ExampleResult result : results()) {
            MetricAccumulator partial = new MetricAccumulator(ABC).add(scorer.score(result.gold(), result.prediction()));
            builder.merge(result.method(), result.bucket(), partial);
        }
        assertEquals(ComparisonTableBuilder.of("toy", ABC, results()), builder.build());
    }

    @Test
    void buildersFilledPerPartitionMergeIntoTheSameTable() {
        List<ExampleResult> all = results();
        ComparisonTableBuilder left = new ComparisonTableBuilder("toy", ABC).addAll(all.subList(0, 3));
        ComparisonTableBuilder right = new ComparisonTableBuilder("toy", ABC).addAll(all.subList(3, all.size()));
        assertEquals(ComparisonTableBuilder.of("toy", ABC, all), left.merge(right).build());
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> left.merge(new ComparisonTableBuilder("other", ABC)));
        assertTrue(error.getMessage().contains("'other'"), error.getMessage());
    }

    @Test
    void metricRowsCoverOverallAndNonEmptyBucketsAndRoundTrip() {
        ComparisonTable table = ComparisonTableBuilder.of("toy", ABC, results());
        List<MetricRow> rows = table.toMetricRows();
        // per method: 2 overall + 3 non-empty buckets x 2 metrics = 8
        assertEquals(16, rows.size());
        MetricRow overall = rows.stream().filter(r -> r.method().equals("PROPER") && r.scope().equals("overall")
                && r.metric().equals("accuracy")).findFirst().orElseThrow();
        assertEquals(0.75, overall.value(), 1e-12);
        assertEquals(4, overall.n());
        assertNull(overall.bucket());
        assertNull(overall.userId());
        MetricRow bucket = rows.stream().filter(r -> r.method().equals("population") && "100+".equals(r.bucket())
                && r.metric().equals("accuracy")).findFirst().orElseThrow();
        assertEquals("bucket", bucket.scope());
        assertEquals(0.0, bucket.value());
        assertEquals(1, bucket.n());
        assertEquals(table, ComparisonTable.fromMetricRows("toy", ABC, rows));
    }

    @Test
    void userRowsCarryTheUserAndItsBucket() {
        List<MetricRow> rows = UserMetricRows.of(ABC, results());
        assertEquals(16, rows.size()); // 2 methods x 4 users x 2 metrics
        MetricRow u3 = rows.stream().filter(r -> r.method().equals("PROPER") && "u3".equals(r.userId())
                && r.metric().equals("accuracy")).findFirst().orElseThrow();
        assertEquals("user", u3.scope());
        assertEquals("5-19", u3.bucket());
        assertEquals(0.0, u3.value());
        assertEquals(1, u3.n());
    }

    @Test
    void markdownHasAHeadingAndMethodThenMainMetricColumnsWithBestValuesBold() {
        String markdown = MarkdownTable.render(List.of(ComparisonTableBuilder.of("toy", ABC, results())));
        List<String> lines = markdown.lines().toList();
        assertEquals("## toy", lines.get(0));
        String header = lines.stream().filter(l -> l.startsWith("| method")).findFirst().orElseThrow();
        assertTrue(header.startsWith("| method | accuracy | macro-F1 | n | accuracy 1-4 | macro-F1 1-4 | accuracy 5-19 |"),
                header);
        int headerIndex = lines.indexOf(header);
        assertTrue(lines.get(headerIndex + 1).startsWith("| --- | ---: |"), lines.get(headerIndex + 1));
        assertTrue(lines.get(headerIndex + 2).startsWith("| population | 0.5000 | "), lines.get(headerIndex + 2));
        assertTrue(lines.get(headerIndex + 3).startsWith("| PROPER | **0.7500** | "), lines.get(headerIndex + 3));
        assertTrue(lines.get(headerIndex + 3).contains("| – |"), "empty 20-99 bucket shows a dash");
    }

    @Test
    void markdownMarksTheLowestMaeAsBest() {
        TaskSpec stars = TaskSpec.rating("stars", 1, 5);
        ComparisonTable table = ComparisonTableBuilder.of("ratings", stars, List.of(
                new ExampleResult("OPPU", "u1", 3, "4", "2"),
                new ExampleResult("PROPER", "u1", 3, "4", "3")));
        String markdown = MarkdownTable.render(table);
        assertTrue(markdown.contains("| OPPU | 2.0000 | 2.0000 | 1 |"), markdown);
        assertTrue(markdown.contains("| PROPER | **1.0000** | **1.0000** | 1 |"), markdown);
        assertTrue(markdown.contains("main metric MAE (lower is better)"), markdown);
    }

    @Test
    void realArrowComponentsTableOfUserMajorityAndGlobalMajority() throws IOException {
        LampTestData data = LampTestData.load("arrow-components", "test", "tag");
        TaskSpec task = TaskSpec.classification("commit-component", List.of("C++", "Python", "R", "CI", "Java", "Rust",
                "Go", "Docs", "GLib", "Release", "Packaging", "C#", "JS", "Ruby", "Dev"));
        List<TrainingOutput> training = new ArrayList<>();
        data.queries().forEach(q -> training.addAll(q.profile()));
        UserMajority model = UserMajority.fit(task, training);
        List<ExampleResult> results = new ArrayList<>();
        for (LampTestData.Query query : data.queries()) {
            results.add(new ExampleResult(Methods.USER_MAJORITY, query.userId(), query.profile().size(), query.gold(),
                    model.predict(query.userId())));
            results.add(new ExampleResult("global-majority", query.userId(), query.profile().size(), query.gold(),
                    model.fallback()));
        }
        ComparisonTable table = ComparisonTableBuilder.of("arrow-components", task, results);
        assertEquals(List.of(Methods.USER_MAJORITY, "global-majority"),
                table.rows().stream().map(ComparisonTable.Row::method).toList());
        assertEquals(0.714, table.row(Methods.USER_MAJORITY).overall().get(Metric.ACCURACY), 5e-4); // README
        assertEquals(0.402, table.row("global-majority").overall().get(Metric.ACCURACY), 5e-4); // README
        long n = ProfileBucket.STANDARD.stream().mapToLong(b -> table.row(Methods.USER_MAJORITY).bucket(b).n()).sum();
        assertEquals(266, n);
        System.out.println(MarkdownTable.render(table));
    }
}
