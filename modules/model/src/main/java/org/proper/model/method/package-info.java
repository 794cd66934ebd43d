/**
 * PROPER's own pieces (DESIGN §2): LoRA adapters and their specs, the group experts with the user-aware router's
 * parameters, the per-user adapters with the LoRA-aware router's R, the stage options and ablation switches, and
 * {@link org.proper.model.method.LoraMath}, every formula of DESIGN §2 written once. Depends on the language model
 * ({@code lm}) and ND4J/SameDiff only: no kernel, graph, training or inference class (the graph hands LoraMath the
 * batched product it runs on); enforced by {@code ModelArchitectureTest}.
 */
package org.proper.model.method;
