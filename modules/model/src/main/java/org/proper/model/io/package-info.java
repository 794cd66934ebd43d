/**
 * Checkpoint I/O of the language model: Hugging Face checkpoints (config, safetensors weights) to and from a
 * {@link org.proper.model.lm.BaseModel}, the safetensors format, and Hugging Face tokenizers. Depends on {@code lm}
 * only (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.io;
