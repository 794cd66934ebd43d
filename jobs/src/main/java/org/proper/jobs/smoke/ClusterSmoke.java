package org.proper.jobs.smoke;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.pipeline.gpu.GpuBinding;

/**
 * Deployment smoke test for the spark-submit jar: every task binds its GPU (if any), multiplies two ND4J matrices on
 * its executor, checks the product against plain Java arithmetic and the job writes one Parquet row per task.
 * It proves that the shaded jar's ND4J natives load inside executors (JVMs separate from the driver).
 *
 * <pre>
 * spark-submit --class org.proper.jobs.smoke.ClusterSmoke proper-jobs-*-spark.jar --output DIR [--tasks N] [--size N] [--fail]
 * </pre>
 *
 * {@code --fail} makes the task of partition 1 throw, so the job fails and spark-submit exits non-zero.
 */
public final class ClusterSmoke {

  /** Output schema: one row per task. */
  public static final StructType SCHEMA = new StructType()
      .add("partition", DataTypes.IntegerType, false)
      .add("executor_id", DataTypes.StringType, false)
      .add("host", DataTypes.StringType, false)
      .add("pid", DataTypes.LongType, false)
      .add("nd4j_backend", DataTypes.StringType, false)
      .add("gpu_device", DataTypes.IntegerType, true)
      .add("size", DataTypes.IntegerType, false)
      .add("product_sum", DataTypes.DoubleType, false)
      .add("expected_sum", DataTypes.DoubleType, false);

  /** Message of the deliberate failure, so tests and operators can find it in the driver log. */
  public static final String FAILURE_MESSAGE = "ClusterSmoke --fail: task of partition 1 fails on purpose";

  private ClusterSmoke() {}

  /** Parsed command line. */
  record Options(String output, int tasks, int size, boolean fail) {
    Options {
      if (output == null || output.isBlank()) {
        throw new IllegalArgumentException("Cannot run ClusterSmoke: --output DIR is required");
      }
      if (tasks < 1) {
        throw new IllegalArgumentException("Cannot run ClusterSmoke: --tasks must be >= 1, got " + tasks);
      }
      if (size < 1 || size > 4096) {
        throw new IllegalArgumentException("Cannot run ClusterSmoke: --size must be in [1, 4096], got " + size);
      }
    }

    static Options parse(String[] args) {
      String output = null;
      int tasks = 4;
      int size = 128;
      boolean fail = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--output" -> output = value(args, ++i, "--output");
          case "--tasks" -> tasks = Integer.parseInt(value(args, ++i, "--tasks"));
          case "--size" -> size = Integer.parseInt(value(args, ++i, "--size"));
          case "--fail" -> fail = true;
          default -> throw new IllegalArgumentException("Cannot run ClusterSmoke: unknown argument '" + args[i]
              + "' (expected --output DIR [--tasks N] [--size N] [--fail])");
        }
      }
      return new Options(output, tasks, size, fail);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException("Cannot run ClusterSmoke: " + option + " needs a value");
      }
      return args[i];
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    SparkSession spark = SparkSession.builder().appName("proper-cluster-smoke").getOrCreate();
    try {
      run(spark, options);
    } finally {
      spark.stop();
    }
  }

  static void run(SparkSession spark, Options options) {
    spark.sparkContext().setJobGroup("proper-smoke", "ND4J matmul on " + options.tasks() + " executor tasks", false);
    LongAccumulator verified = spark.sparkContext().longAccumulator("verified-task-results");
    JavaRDD<Row> rows = spark.range(0, options.tasks(), 1, options.tasks()).javaRDD()
        .mapPartitions(new MatmulTask(options.size(), options.fail(), verified));
    Dataset<Row> result = spark.createDataFrame(rows, SCHEMA);
    result.write().mode(SaveMode.ErrorIfExists).parquet(options.output());  // one job, one stage
    System.out.println("ClusterSmoke OK: " + verified.value() + " task results in " + options.output());
  }

  /** One task: bind the GPU, multiply, compare with plain Java (a mismatch fails the task). */
  static final class MatmulTask implements FlatMapFunction<Iterator<Long>, Row> {
    private final int size;
    private final boolean fail;
    private final LongAccumulator verified;

    MatmulTask(int size, boolean fail, LongAccumulator verified) {
      this.size = size;
      this.fail = fail;
      this.verified = verified;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> ignored) throws Exception {
      int partition = TaskContext.getPartitionId();
      Optional<Integer> gpu = GpuBinding.bindCurrentTask();
      if (fail && partition == 1) {
        throw new IllegalStateException(FAILURE_MESSAGE);
      }
      double[][] a = matrix(size, partition, 31, 17, 11);
      double[][] b = matrix(size, partition, 7, 13, 5);
      INDArray product = Nd4j.create(a).castTo(DataType.DOUBLE)      // [size, size]
          .mmul(Nd4j.create(b).castTo(DataType.DOUBLE));           // [size, size] x [size, size] -> [size, size]
      double productSum = product.sumNumber().doubleValue();
      double expectedSum = javaProductSum(a, b);
      if (Math.abs(productSum - expectedSum) > 1e-9 * Math.max(1.0, expectedSum)) {
        throw new IllegalStateException("ND4J matmul on partition " + partition + " gave sum " + productSum
            + ", plain Java " + expectedSum);
      }
      verified.add(1);
      List<Row> out = new ArrayList<>(1);
      out.add(RowFactory.create(partition, SparkEnv.get().executorId(), InetAddress.getLocalHost().getHostName(),
          ManagementFactory.getRuntimeMXBean().getPid(), Nd4j.getBackend().getClass().getSimpleName(),
          gpu.orElse(null), size, productSum, expectedSum));
      return out.iterator();
    }

    /** Deterministic entries in [0, 1): ((i*ri + j*rj + partition) mod m) / m. */
    static double[][] matrix(int n, int partition, int ri, int rj, int m) {
      double[][] x = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          x[i][j] = ((i * ri + j * rj + partition) % m) / (double) m;
        }
      }
      return x;
    }

    /** sum(A·B) = Σ_k colsum_k(A) · rowsum_k(B). */
    static double javaProductSum(double[][] a, double[][] b) {
      int n = a.length;
      double total = 0;
      for (int k = 0; k < n; k++) {
        double colA = 0;
        double rowB = 0;
        for (int i = 0; i < n; i++) {
          colA += a[i][k];
          rowB += b[k][i];
        }
        total += colA * rowB;
      }
      return total;
    }
  }
}
