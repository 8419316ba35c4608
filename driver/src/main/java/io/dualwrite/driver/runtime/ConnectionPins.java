package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.Phase;

/** What the runtime needs to know of an open application connection: the phase its transaction is pinned to. */
public interface ConnectionPins {

    /** The phase an open transaction of this connection applies to the migration, or null when none is open. */
    Phase pinnedPhase(MigrationRuntime migration);
}
