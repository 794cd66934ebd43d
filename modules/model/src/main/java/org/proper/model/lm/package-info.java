/**
 * The language model, PROPER aside: model families and sizes ({@link org.proper.model.lm.ModelConfig},
 * {@link org.proper.model.lm.Family}), Hugging Face weight names and the LoRA-targetable linear layers
 * ({@link org.proper.model.lm.Architecture}), the immutable base model and its tensors, tokenizers and examples.
 * It may use the kernels and gradient rewrites, never PROPER's method, graph, training or inference packages
 * (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.lm;
