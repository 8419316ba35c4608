package io.dualwrite.control;

import io.dualwrite.testing.PackageCycles;
import org.junit.jupiter.api.Test;

class PackageCyclesTest {

    @Test
    void noPackageOfTheModuleDependsOnItselfThroughOthers() {
        PackageCycles.assertNoneUnder("io.dualwrite.control");
    }
}
