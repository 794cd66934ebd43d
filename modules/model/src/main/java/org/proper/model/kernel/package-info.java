/**
 * Kernels: the graph ops computed in Java on ND4J's buffers (batched matmul, GELU/SiLU, softmax, row gather, the
 * AdamW update in SIMD lanes), the SameDiff session and per-call memory the graphs run in, and the switches that turn
 * them off. Knows nothing of PROPER: it depends on ND4J/SameDiff and the JDK only, never on another {@code org.proper}
 * package (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.kernel;
