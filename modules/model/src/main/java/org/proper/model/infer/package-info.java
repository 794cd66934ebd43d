/**
 * Inference: what serves a user ({@link org.proper.model.infer.Composition}: the merged base, group experts and
 * router, the user's adapter), decoding and label likelihoods ({@link org.proper.model.infer.Generator}) and the
 * base model's mean hidden states. Builds on {@code graph}, {@code method} and {@code lm}; nothing below it depends
 * on it (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.infer;
