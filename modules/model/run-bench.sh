#!/bin/bash
# Runs org.proper.model.bench.ModelBench with the surefire JVM flags and one native thread.
# Usage: modules/model/run-bench.sh [dModel layers batch seqLen users userSteps examplesPerUser userSeqLen vocab]
set -e
cd "$(dirname "$0")"
mvn -B -o -q install -DskipTests
mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
FLAGS="-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
OMP_NUM_THREADS=1 exec java -Xmx2g $FLAGS -cp target/classes:$(cat target/cp.txt) org.proper.model.bench.ModelBench "$@"
