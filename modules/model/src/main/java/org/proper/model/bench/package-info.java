/**
 * Developer benchmarks of the model core (run with {@code modules/model/run-bench.sh}): the CPU benchmark
 * ({@link org.proper.model.bench.ModelBench}), the op-by-op profile of a user step
 * ({@link org.proper.model.bench.OpProfile}), the FLOP count of a step and a memory probe. They may use every
 * package of the module; no package of the module may use them (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.bench;
