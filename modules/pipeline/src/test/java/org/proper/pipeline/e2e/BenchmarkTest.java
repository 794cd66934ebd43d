package org.proper.pipeline.e2e;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.eval.report.ComparisonTable;
import org.proper.eval.report.MarkdownTable;
import org.proper.eval.report.Methods;
import org.proper.pipeline.Benchmark;
import org.proper.pipeline.run.RunLayout;

/** `proper benchmark`: every method of the comparison on one data set, ablations as forks of the main run. */
class BenchmarkTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TinyRuns.spark("local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void theComparisonHasEveryMethodInTheMetricsTableAndAsMarkdown() throws Exception {
        Path data = tmp.resolve("data");
        TinyRuns.generate(spark, data);
        ProperConfig config = TinyRuns.config(tmp.resolve("warehouse").toString(), data.toString(), Map.of());
        ComparisonTable table = Benchmark.run(spark, config, "bench", LocalDate.of(2026, 11, 25));

        assertEquals(Set.copyOf(Methods.ALL), table.rows().stream().map(ComparisonTable.Row::method).collect(Collectors.toSet()));
        for (ComparisonTable.Row row : table.rows()) assertEquals(40, row.overall().n(), row.method());
        String md = MarkdownTable.render(List.of(table));
        assertTrue(md.startsWith("## "), md);
        assertTrue(md.contains("| method | accuracy |"), md);
        for (String m : Methods.ALL) assertTrue(md.contains("| " + m + " |"), m + " missing in\n" + md);

        RunLayout main = RunLayout.of(tmp.resolve("warehouse").toString(), "bench");
        Set<String> inMetrics = spark.read().parquet(main.tableUri(RunLayout.METRICS)).filter(col("scope").equalTo("overall"))
                .select("method").distinct().collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
        assertEquals(Set.copyOf(Methods.ALL), inMetrics);
        assertTrue(java.nio.file.Files.exists(Path.of(main.manifest().toUri().getPath())));
    }
}
