package io.procwatch.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The build fails when code depends against the architecture's direction: the core library (read → normalize →
 * detect → aggregate → engine, and the notable writers) knows neither the Sigma support nor the application; the
 * Sigma support does not know the application; a stage does not reach forward into a later one.
 */
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the core's test helpers
                .importPackages("io.procwatch");
    }

    private static final String[] CORE = {"io.procwatch.read..", "io.procwatch.intake..", "io.procwatch.normalize..",
            "io.procwatch.detect..", "io.procwatch.time..", "io.procwatch.aggregate..", "io.procwatch.risk..",
            "io.procwatch.lookup..", "io.procwatch.engine..", "io.procwatch.state..", "io.procwatch.write.."};
    private static final String[] APP = {"io.procwatch.cli..", "io.procwatch.serve..", "io.procwatch.toolkit..",
            "io.procwatch.durable..", "io.procwatch.kafka.."};

    @Test
    void coreKnowsNeitherSigmaNorTheApplication() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage(concat(APP, "io.procwatch.sigma.."))
                .check(classes);
    }

    @Test
    void sigmaDoesNotKnowTheApplication() {
        noClasses().that().resideInAPackage("io.procwatch.sigma..")
                .should().dependOnClassesThat().resideInAnyPackage(APP)
                .check(classes);
    }

    @Test
    void readersKnowNothingOfRulesOrSessions() {
        noClasses().that().resideInAPackage("io.procwatch.read..")
                .should().dependOnClassesThat().resideInAnyPackage("io.procwatch.normalize..", "io.procwatch.detect..",
                        "io.procwatch.aggregate..", "io.procwatch.engine..", "io.procwatch.write..")
                .check(classes);
    }

    @Test
    void normalizerKnowsNothingOfRulesOrSessions() {
        noClasses().that().resideInAPackage("io.procwatch.normalize..")
                .should().dependOnClassesThat().resideInAnyPackage("io.procwatch.detect..", "io.procwatch.aggregate..",
                        "io.procwatch.engine..", "io.procwatch.write..")
                .check(classes);
    }

    @Test
    void detectionsDoNotReachIntoSessionsOrOutput() {
        noClasses().that().resideInAnyPackage("io.procwatch.detect..", "io.procwatch.aggregate..")
                .should().dependOnClassesThat().resideInAnyPackage("io.procwatch.engine..", "io.procwatch.write..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
                .matching("io.procwatch.(*)..").should().beFreeOfCycles()
                .check(classes);
    }

    private static String[] concat(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }
}
