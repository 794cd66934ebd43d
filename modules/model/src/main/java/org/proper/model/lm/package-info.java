/**
 * The language model, PROPER aside: model families and sizes ({@link org.proper.model.lm.ModelConfig},
 * {@link org.proper.model.lm.Family}), Hugging Face weight names and the LoRA-targetable linear layers
 * ({@link org.proper.model.lm.Architecture}), the immutable base model and its tensors, tokenizers and examples; and
 * the transformer's graph construction: one {@link org.proper.model.lm.BlockBuilder} per family (embeddings, block,
 * final norm, head weight), causal attention with the top layer's window, RoPE, norms and activations, on a shared
 * {@link org.proper.model.lm.GraphBuilder}. A block calls an {@link org.proper.model.lm.AdapterHook} at every
 * targetable layer and knows nothing of what adapts it. May use the kernels and gradient rewrites, never PROPER's
 * method, graph, training or inference packages (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.lm;
