package org.proper.jobs;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.regex.Pattern;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;

/**
 * The modules' dependency directions (DESIGN §6), checked on the main classes of every module — this module's test
 * classpath holds them all:
 * <pre>
 *   jobs ─▶ serving ─▶ pipeline ─▶ model, data, eval ─▶ common
 * </pre>
 * A module may use the modules below it and none above it or beside it: model, data and eval know nothing of one
 * another, and common knows no other module. The packages inside the model core are checked by its own
 * {@code ModelArchitectureTest}.
 */
@AnalyzeClasses(packages = "org.proper", importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
public class ArchitectureTest {
    /** The modules as layers, each allowed the modules below it. */
    @ArchTest
    public static final ArchRule MODULES_DEPEND_DOWNWARDS = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage("org.proper..")
            .layer("jobs").definedBy("org.proper.jobs..")
            .layer("serving").definedBy("org.proper.serving..")
            .layer("pipeline").definedBy("org.proper.pipeline..")
            .layer("model").definedBy("org.proper.model..")
            .layer("data").definedBy("org.proper.data..")
            .layer("eval").definedBy("org.proper.eval..")
            .layer("common").definedBy("org.proper.common..")
            .whereLayer("jobs").mayNotBeAccessedByAnyLayer()
            .whereLayer("serving").mayOnlyAccessLayers("pipeline", "model", "data", "eval", "common")
            .whereLayer("pipeline").mayOnlyAccessLayers("model", "data", "eval", "common")
            .whereLayer("model").mayOnlyAccessLayers("common")
            .whereLayer("data").mayOnlyAccessLayers("common")
            .whereLayer("eval").mayOnlyAccessLayers("common")
            .whereLayer("common").mayNotAccessAnyLayer()
            .because("a module builds on the ones below it (DESIGN §6), so each can be built, tested and reused without those above");

    /**
     * No cycles between the packages of one module (a package uses another's classes one way only). The pipeline
     * module is left out: its packages have cycles today (run ↔ cluster and embed through run's EmbedClusterBenchmark,
     * embed → incremental → io/run/train → embed, evaluate ↔ train), which untangling it will remove; then drop the
     * exception.
     */
    @ArchTest
    public static final ArchRule NO_PACKAGE_CYCLES_IN_A_MODULE = slices().matching("org.proper.(*).(*)..").namingSlices("$1.$2")
            .that(DescribedPredicate.describe("are not the pipeline's", (Slice s) -> !"pipeline".equals(s.getNamePart(1))))
            .should().beFreeOfCycles();

    /** Leaves out the test classes other modules ship as test jars (e.g. the pipeline's TinyRuns, which jobs' tests use). */
    static final class NoTestJars implements ImportOption {
        private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar.*");

        @Override
        public boolean includes(Location location) {
            return !location.matches(TEST_JAR);
        }
    }
}
