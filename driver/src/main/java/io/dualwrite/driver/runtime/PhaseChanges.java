package io.dualwrite.driver.runtime;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.Phase;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;

/** Changing a phase from inside the driver: control schema first (the truth, which notifies the fleet), then this JVM. */
public final class PhaseChanges {

    /** The phases this version of the driver can apply. */
    public static final Set<Phase> SUPPORTED = EnumSet.of(Phase.EXPANDED, Phase.DUAL_WRITE, Phase.READ_NEW);

    private PhaseChanges() {
    }

    public static void apply(DatabaseRuntime database, String migration, Phase phase, String changedBy, String reason)
            throws SQLException {
        if (!SUPPORTED.contains(phase)) {
            throw new IllegalArgumentException("phase " + phase + " is not supported by this version of dualwrite; use one of "
                    + SUPPORTED);
        }
        try (Connection c = controlConnection(database)) {
            ControlSchema.setPhase(c, migration, phase, changedBy, reason);
        }
        database.applyPhase(migration, phase);
    }

    /** A plain PgJDBC connection to the runtime's database, for control-schema work outside the application's connections. */
    public static Connection controlConnection(DatabaseRuntime database) throws SQLException {
        Connection c = new org.postgresql.Driver().connect(database.pgUrl(), database.connectProperties());
        if (c == null) {
            throw new SQLException("PgJDBC refused the URL " + database.displayUrl(), "08001");
        }
        return c;
    }

    /** {@code host/pid}: who changed a phase, for the audit log. */
    public static String instanceId() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }
}
