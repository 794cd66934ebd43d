package org.proper.pipeline.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.proper.pipeline.gpu.GpuBinding;

/**
 * Synchronous local SGD with Spark's own primitives (DESIGN §4): the driver broadcasts the parameters, every partition
 * runs a few local optimizer steps from them on its own examples, and {@code treeAggregate} sums the results weighted
 * by each partition's example count; the driver divides once. Optimizer state is local to a round.
 */
public final class LocalSgd {
    private LocalSgd() {}

    /** One partition's contribution: its parameters times its weight, and its training loss. */
    public record Partial(ParamVector params, double lossSum, long lossCount) implements Serializable {
        public static Partial zero() {
            return new Partial(ParamVector.zero(), 0, 0);
        }

        public Partial plus(Partial o) {
            return new Partial(params.plus(o.params), lossSum + o.lossSum, lossCount + o.lossCount);
        }

        public double meanLoss() {
            return lossCount == 0 ? Double.NaN : lossSum / lossCount;
        }
    }

    /** What one partition does in a round: train from the broadcast parameters on its rows. */
    @FunctionalInterface
    public interface LocalStep<T> extends Serializable {
        /** @return null when the partition has no rows */
        Partial train(int partition, List<T> rows) throws Exception;
    }

    /** Runs one round over {@code data} and returns the aggregated partial (call {@code params().mean()}). */
    public static <T> Partial round(JavaRDD<T> data, LocalStep<T> step, int depth) {
        Function2<Integer, Iterator<T>, Iterator<Partial>> perPartition = (pid, it) -> {
            GpuBinding.bindCurrentTask();
            List<T> rows = new ArrayList<>();
            it.forEachRemaining(rows::add);
            if (rows.isEmpty()) return java.util.Collections.emptyIterator();
            Partial p = step.train(pid, rows);
            return p == null ? java.util.Collections.<Partial>emptyIterator() : List.of(p).iterator();
        };
        Partial total = data.mapPartitionsWithIndex(perPartition, false)
                .treeAggregate(Partial.zero(), Partial::plus, Partial::plus, depth);
        if (total.params().weight() == 0) throw new IllegalStateException("Cannot run a local-SGD round: no partition had data");
        return total;
    }
}
