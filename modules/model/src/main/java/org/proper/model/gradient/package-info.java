/**
 * Rewrites of a SameDiff gradient function after SameDiff creates it: closed-form gradients of declared
 * sub-expressions, no gradients into frozen operands, equal-shape sums passed on without copies, one GEMM for the
 * frozen maps that share an input; each behind its switch ({@code SWITCH}). The graph builder declares what they
 * rewrite; they know nothing of PROPER: ND4J/SameDiff and the JDK only, never another {@code org.proper} package
 * (enforced by {@code ModelArchitectureTest}).
 */
package org.proper.model.gradient;
