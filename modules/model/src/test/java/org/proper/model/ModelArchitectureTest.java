package org.proper.model;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.proper.model.kernel.archfixture.KernelNamingLoraSpec;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

/**
 * The package layout of the model core (DESIGN §7: package by concept, dependencies one way), checked on the main
 * classes of {@code org.proper.model}:
 * <pre>
 *   bench ─▶ everything                 (nothing depends on bench)
 *   train, infer ─▶ graph ─▶ method ─▶ lm ─▶ kernel, gradient
 *                     └──▶ lm, kernel, gradient
 *   io ─▶ lm
 *   kernel, gradient ─▶ no other org.proper package
 * </pre>
 * plus no cycles between the packages. Each rule fails when a class that breaks it is added; see
 * {@link #KERNELS_KNOW_NOTHING_OF_PROPER} for what that looks like, and {@link #theKernelRuleFailsOnAKernelThatNamesAProperClass}
 * for the proof that it does.
 */
@AnalyzeClasses(packages = "org.proper.model", importOptions = ImportOption.DoNotIncludeTests.class)
public class ModelArchitectureTest {
    private static final String MODEL = "org.proper.model.";

    /**
     * Kernels know nothing of PROPER: a class in {@code org.proper.model.kernel} may use ND4J, SameDiff and the JDK, and
     * no {@code org.proper} class outside the kernel package.
     * <p>
     * A kernel that imports a PROPER class breaks it. The fixture {@link KernelNamingLoraSpec} is such a class — in
     * package {@code org.proper.model.kernel.archfixture}, with a method {@code scaling(LoraSpec spec)} that imports
     * {@code org.proper.model.method.LoraSpec} — and checked against this rule it fails with:
     * <pre>
     * Architecture Violation [Priority: MEDIUM] - Rule 'no classes that reside in a package 'org.proper.model.kernel..'
     * should depend on classes that reside in a package 'org.proper..' and not reside in any package
     * ['org.proper.model.kernel..'], because the kernels know nothing of PROPER (DESIGN §7)' was violated (2 times):
     * Method &lt;org.proper.model.kernel.archfixture.KernelNamingLoraSpec.scaling(org.proper.model.method.LoraSpec)&gt;
     *   calls method &lt;org.proper.model.method.LoraSpec.scaling()&gt; in (KernelNamingLoraSpec.java:16)
     * Method &lt;org.proper.model.kernel.archfixture.KernelNamingLoraSpec.scaling(org.proper.model.method.LoraSpec)&gt;
     *   has parameter of type &lt;org.proper.model.method.LoraSpec&gt; in (KernelNamingLoraSpec.java:0)
     * </pre>
     */
    @ArchTest
    public static final ArchRule KERNELS_KNOW_NOTHING_OF_PROPER =
            usesNoOtherProperPackage("kernel", "the kernels know nothing of PROPER (DESIGN §7)");

    /** The gradient-function rewrites know nothing of PROPER either: SameDiff and the JDK only. */
    @ArchTest
    public static final ArchRule GRADIENT_REWRITES_KNOW_NOTHING_OF_PROPER =
            usesNoOtherProperPackage("gradient", "the gradient-function rewrites know nothing of PROPER");

    /** The language model is PROPER-free: it may build on the kernels and rewrites, never on the method or above. */
    @ArchTest
    public static final ArchRule THE_LANGUAGE_MODEL_KNOWS_NOTHING_OF_PROPER =
            usesOnly("lm", "the language model is the same with or without PROPER", "kernel", "gradient");

    /** The method's pieces and formulas (DESIGN §2) use the language model and nothing else of the module: no kernel. */
    @ArchTest
    public static final ArchRule THE_METHOD_NAMES_NO_KERNEL =
            usesOnly("method", "the method's formulas stay readable and kernel-free (the graph supplies the products)", "lm");

    /** The graph puts the language model, the method, the kernels and the rewrites together, and knows no trainer. */
    @ArchTest
    public static final ArchRule THE_GRAPH_KNOWS_NO_TRAINER =
            usesOnly("graph", "training and inference build on the graph, not the other way", "lm", "method", "kernel", "gradient");

    /** Training builds on the graph, the method and the language model (and the optimiser's kernel). */
    @ArchTest
    public static final ArchRule TRAINING_IS_ABOVE_THE_GRAPH =
            usesOnly("train", "training depends on what it trains, not on inference or benchmarks", "graph", "method", "lm", "kernel", "gradient");

    /** Inference builds on the graph, the method and the language model. */
    @ArchTest
    public static final ArchRule INFERENCE_IS_ABOVE_THE_GRAPH =
            usesOnly("infer", "inference depends on what it runs, not on training or benchmarks", "graph", "method", "lm");

    /** Checkpoint I/O reads and writes the language model only. */
    @ArchTest
    public static final ArchRule CHECKPOINTS_ARE_THE_LANGUAGE_MODELS =
            usesOnly("io", "a checkpoint is the language model's", "lm");

    /** The benchmarks may use anything; nothing uses them. */
    @ArchTest
    public static final ArchRule NOTHING_DEPENDS_ON_THE_BENCHMARKS = noClasses()
            .that().resideOutsideOfPackage(MODEL + "bench..")
            .should().dependOnClassesThat().resideInAPackage(MODEL + "bench..")
            .because("the benchmarks are developer tools on top of the module");

    /** No cycles between the packages of the module. */
    @ArchTest
    public static final ArchRule NO_PACKAGE_CYCLES = slices().matching("org.proper.model.(*)..").should().beFreeOfCycles();

    /**
     * The kernels' rule is not vacuous: checked against a kernel-package class that imports a PROPER class (the test
     * fixture {@link KernelNamingLoraSpec}, which the real check never imports), it reports that class.
     */
    @Test
    void theKernelRuleFailsOnAKernelThatNamesAProperClass() {
        JavaClasses fixture = new ClassFileImporter().importClasses(KernelNamingLoraSpec.class);
        EvaluationResult result = KERNELS_KNOW_NOTHING_OF_PROPER.evaluate(fixture);
        assertTrue(result.hasViolation(), "a kernel that imports LoraSpec must break the kernels' rule");
        String report = result.getFailureReport().toString();
        assertTrue(report.contains(KernelNamingLoraSpec.class.getName()) && report.contains("org.proper.model.method.LoraSpec"),
                "the report names the kernel class and the PROPER class it uses:\n" + report);
        assertFalse(KERNELS_KNOW_NOTHING_OF_PROPER.evaluate(new ClassFileImporter().importClasses(
                org.proper.model.kernel.Softmax.class)).hasViolation(), "a real kernel keeps the rule");
    }

    /** Classes of {@code model.<pkg>} use no {@code org.proper} class outside their own package. */
    private static ArchRule usesNoOtherProperPackage(String pkg, String because) {
        return usesOnly(pkg, because);
    }

    /** Classes of {@code model.<pkg>} use {@code org.proper} classes of their own package and of {@code model.<allowed>} only. */
    private static ArchRule usesOnly(String pkg, String because, String... allowed) {
        String[] own = Stream.concat(Stream.of(pkg), Arrays.stream(allowed)).map(p -> MODEL + p + "..").toArray(String[]::new);
        return noClasses().that().resideInAPackage(MODEL + pkg + "..")
                .should().dependOnClassesThat(resideInAPackage("org.proper..").and(not(resideInAnyPackage(own))))
                .because(because);
    }
}
