package org.dmarcreporter.core;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.dmarcreporter.core.store.ResultStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the core module, read from the compiled classes' imports: packages import one way,
 * nothing in core depends on AWS or on a module built on top of core, and every package says what
 * lives in it.
 */
class CorePackagesTest {

    /** The modules built on core; a core package named after one would read as that module's code. */
    private static final String[] MODULE_NAMES = {"aws", "ingest", "aggregate", "failure", "local", "bench"};

    private static JavaClasses core;

    @BeforeAll
    static void importMainClasses() throws URISyntaxException {
        // Only the main classes (the folder or jar holding them), not the test helpers next to them.
        Path mainClasses = Path.of(ResultStore.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        core = new ClassFileImporter().importPath(mainClasses);
    }

    @Test
    void importsTheWholeCore() {
        // Guards the rules below against passing on an empty or partial import.
        assertThat(core.getPackage("org.dmarcreporter.core").getSubpackages()).hasSizeGreaterThanOrEqualTo(12);
    }

    @Test
    void corePackagesFormNoCycle() {
        // Every package is its own slice: core.report.row and core.report.trigger count apart.
        slices().matching("org.dmarcreporter.core.(**)")
                .should()
                .beFreeOfCycles()
                .check(core);
    }

    @Test
    void coreDoesNotImportAws() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("software.amazon..", "com.amazonaws..")
                .because("the core has no AWS imports; the aws module implements its ports")
                .check(core);
    }

    @Test
    void coreDoesNotImportTheModulesBuiltOnIt() {
        noClasses()
                .should()
                .dependOnClassesThat(
                        resideInAPackage("org.dmarcreporter..").and(not(resideInAPackage("org.dmarcreporter.core.."))))
                .because("aws, ingest, aggregate, failure, local and bench depend on core, never the reverse")
                .check(core);
    }

    @Test
    void corePackageNamesDoNotClashWithModuleNames() {
        String[] clashing = new String[MODULE_NAMES.length];
        for (int i = 0; i < MODULE_NAMES.length; i++) {
            clashing[i] = "org.dmarcreporter.core.." + MODULE_NAMES[i];
        }
        noClasses()
                .should()
                .resideInAnyPackage(clashing)
                .because("a core package named after a module reads as that module's code")
                .check(core);
    }

    @Test
    void everyCorePackageSaysWhatLivesThere() throws IOException {
        // The tests run in the module's folder; javac keeps no class file for a package-info without annotations.
        Path sources = Path.of("src/main/java/org/dmarcreporter/core");
        List<Path> undocumented;
        try (Stream<Path> folders = Files.walk(sources)) {
            undocumented = folders.filter(Files::isDirectory)
                    .filter(CorePackagesTest::holdsClasses)
                    .filter(folder -> !Files.exists(folder.resolve("package-info.java")))
                    .toList();
        }
        assertThat(undocumented).as("core packages without a package-info.java").isEmpty();
    }

    private static boolean holdsClasses(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
