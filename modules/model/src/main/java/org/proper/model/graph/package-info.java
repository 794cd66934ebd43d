/**
 * The training and inference graph: {@link org.proper.model.graph.ModelGraph} puts the language model's blocks, the
 * method's adapters and routers, the head and the loss into one SameDiff graph, feeds it batches and reads adapters
 * back; with what it is built from ({@link org.proper.model.graph.GraphSpec}), the per-thread graph cache, the token
 * batches and layer 0's frozen prefix. Depends on {@code lm}, {@code method}, {@code kernel} and {@code gradient};
 * never on training, inference or the benchmarks (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.graph;
