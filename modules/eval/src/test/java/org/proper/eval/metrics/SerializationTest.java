package org.proper.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proper.eval.report.ComparisonTableBuilder;
import org.proper.eval.report.ExampleResult;

/** Spark ships scorers and accumulators to executors with Java serialization; they must survive the trip. */
class SerializationTest {

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void scorerAndPartialAccumulatorSurviveJavaSerialization() throws Exception {
        TaskSpec task = TaskSpec.classification("abc", List.of("A", "B", "C"));
        ExampleScorer scorer = roundTrip(new ExampleScorer(task));
        MetricAccumulator partial = new MetricAccumulator(task).add(scorer.score("A", "A")).add(scorer.score("B", "A"));
        MetricAccumulator shipped = roundTrip(partial);
        shipped.add(scorer.score("C", "C"));
        MetricValues values = shipped.result();
        assertEquals(2.0 / 3, values.get(Metric.ACCURACY), 1e-12);
        // A: TP1 FP1 -> 2/3; B: FN1 -> 0; C: TP1 -> 1
        assertEquals((2.0 / 3 + 0 + 1) / 3, values.get(Metric.MACRO_F1), 1e-12);
        assertEquals(values, roundTrip(values));
        assertEquals(task, roundTrip(task));
    }

    @Test
    void tableBuilderSurvivesJavaSerializationAndKeepsCounting() throws Exception {
        TaskSpec task = TaskSpec.classification("abc", List.of("A", "B", "C"));
        ComparisonTableBuilder builder = new ComparisonTableBuilder("toy", task)
                .add(new ExampleResult("PROPER", "u1", 3, "A", "A"));
        ComparisonTableBuilder shipped = roundTrip(builder).add(new ExampleResult("PROPER", "u2", 30, "B", "A"));
        assertEquals(0.5, shipped.build().row("PROPER").overall().get(Metric.ACCURACY), 1e-12);
        assertEquals(builder.add(new ExampleResult("PROPER", "u2", 30, "B", "A")).build(), shipped.build());
    }
}
