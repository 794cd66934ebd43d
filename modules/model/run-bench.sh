#!/bin/bash
# Runs org.proper.model.bench.ModelBench with the surefire JVM flags and one native thread.
# Usage: modules/model/run-bench.sh [dModel layers batch seqLen users userSteps examplesPerUser userSeqLen vocab]
# BENCH_MAIN=org.proper.model.bench.OpProfile runs the op-by-op profile of a user step instead (its args: see that class).
set -e
cd "$(dirname "$0")"
mvn -B -q install -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
FLAGS="-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
OMP_NUM_THREADS=1 exec java -Xmx2g $FLAGS -cp target/classes:$(cat target/cp.txt) "${BENCH_MAIN:-org.proper.model.bench.ModelBench}" "$@"
