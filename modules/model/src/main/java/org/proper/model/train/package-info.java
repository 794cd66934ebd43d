/**
 * Training: the trainers of each stage (pretraining, one LoRA, group experts and router, users batched or one by
 * one), the one optimisation loop they share, the AdamW optimiser, early stopping (per graph and per user), minibatch
 * sampling, their options and results. Builds on {@code graph}, {@code method} and {@code lm}; nothing below it
 * depends on it (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.train;
