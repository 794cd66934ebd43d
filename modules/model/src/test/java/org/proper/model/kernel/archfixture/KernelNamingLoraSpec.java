package org.proper.model.kernel.archfixture;

import org.proper.model.method.LoraSpec;

/**
 * A deliberate violation, for {@code ModelArchitectureTest} only: a class in the kernel package that imports a PROPER
 * class (the method's {@link LoraSpec}). It lives in the test sources, which the real architecture check does not
 * import; the test checks the kernels' rule against this class alone and expects the rule to fail.
 */
public final class KernelNamingLoraSpec {
    private KernelNamingLoraSpec() {
    }

    /** What a kernel must not do: read one of PROPER's own types. */
    public static double scaling(LoraSpec spec) {
        return spec.scaling();
    }
}
