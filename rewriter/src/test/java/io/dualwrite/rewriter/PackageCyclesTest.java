package io.dualwrite.rewriter;

import io.dualwrite.testing.PackageCycles;
import org.junit.jupiter.api.Test;

class PackageCyclesTest {

    @Test
    void noPackageOfTheModuleDependsOnItselfThroughOthers() {
        PackageCycles.assertNoneUnder("io.dualwrite.rewriter");
    }
}
