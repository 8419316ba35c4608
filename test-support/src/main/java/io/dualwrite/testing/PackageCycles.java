package io.dualwrite.testing;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * Each module asserts that none of its main packages depends, directly or through others, on a
 * package that depends on it: a cycle means two packages that can only be understood together.
 */
public final class PackageCycles {

    private PackageCycles() {
    }

    /**
     * Fails with ArchUnit's report of every cycle among {@code root} and its subpackages (main
     * classes only; each package, the root included, is one slice).
     */
    public static void assertNoneUnder(String root) {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(root);
        if (classes.isEmpty()) {
            throw new AssertionError("no main class found under " + root);
        }
        slices().assignedFrom(eachPackageUnder(root)).should().beFreeOfCycles().check(classes);
    }

    /** One slice per package; a pattern such as {@code root.(*)..} would leave the root itself out. */
    private static SliceAssignment eachPackageUnder(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String p = c.getPackageName();
                return p.equals(root) || p.startsWith(root + ".") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "packages under " + root;
            }
        };
    }
}
