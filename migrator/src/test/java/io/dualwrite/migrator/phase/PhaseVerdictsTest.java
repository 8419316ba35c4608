package io.dualwrite.migrator.phase;

import io.dualwrite.control.ConstraintRestores;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.phase.Gate;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.driver.runtime.OperatorCredential;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.SilentInstance;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every (from, to) phase pair through every path that changes phases: the CLI, the JMX setter, the
 * same two with force, and the automatic read rollback of {@code dualwrite parity}. Each must give the
 * state machine's verdict, and none may skip a gate without the explicit force. The gates here never
 * hold (no backfill ran, the target table is empty, a twin on the target stands for a CHECK a contract dropped and
 * nobody restored), so a gated move must be refused.
 */
@ExtendWith(PostgresExtension.class)
class PhaseVerdictsTest {

    private static final String MIGRATION = "users.email";
    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    private enum Outcome { STAY, MOVED, REFUSED }

    @Test
    void everyPathGivesTheStateMachinesVerdictForEveryPair(TestDatabase db) throws Exception {
        Fixtures.createUsers(db, 200);
        Fixtures.expandAndDualWrite(db);
        db.execute("ALTER TABLE email_address ADD CONSTRAINT email_short CHECK (NOT is_primary OR length(address) < 40)");
        try (Connection c = db.connect()) {
            String note = ConstraintRestores.note(ControlSchema.require(c, MIGRATION).spec(), "CHECK (length(email) < 40)",
                    List.of("ALTER TABLE public.users ADD CONSTRAINT email_short CHECK (length(email) < 40)"));
            db.execute("COMMENT ON CONSTRAINT email_short ON email_address IS '" + note.replace("'", "''") + "'");
        }
        List<String> wrong = new ArrayList<>();
        try (Connection app = connectWithOperator(db)) { // registers the JMX bean of this instance
            for (Phase from : Phase.values()) {
                for (Phase to : Phase.values()) {
                    PhaseTransitions.Move move = PhaseTransitions.move(from, to);
                    Outcome gated = move.stays() ? Outcome.STAY
                            : move.allowed() && move.by() == null && move.gates().isEmpty() ? Outcome.MOVED : Outcome.REFUSED;
                    Outcome forced = move.stays() ? Outcome.STAY
                            : move.allowed() && move.by() == null ? Outcome.MOVED : Outcome.REFUSED;
                    // the fleet gate of EXPANDED -> DUAL_WRITE would hold: one instance that has not read the migration
                    try (SilentInstance unread = move.gates().equals(List.of(Gate.FLEET_ON_CURRENT_PHASE))
                            ? new SilentInstance(db) : null) {
                        check(wrong, db, from, to, "cli", gated, () -> cliPhase(db, to, false));
                        check(wrong, db, from, to, "cli --force", forced, () -> cliPhase(db, to, true));
                        check(wrong, db, from, to, "jmx Phase", gated, () -> jmx(() -> MBEANS.setAttribute(bean(),
                                new Attribute("Phase", to.name()))));
                    }
                    check(wrong, db, from, to, "jmx changePhase(force)", forced, () -> jmx(() -> MBEANS.invoke(bean(),
                            "changePhase", new Object[] {to.name(), true, "test"},
                            new String[] {String.class.getName(), boolean.class.getName(), String.class.getName()})));
                }
                // the automatic rollback: parity finds drift (the target is empty) and sends reads back, where there are any
                Phase back = PhaseTransitions.readRollbackOf(from);
                Outcome expected = back != null && PhaseTransitions.move(from, back).allowed() ? Outcome.MOVED : Outcome.STAY;
                check(wrong, db, from, back == null ? from : back, "parity's automatic rollback", expected, () -> {
                    Run r = cli("parity", "--url", db.jdbcUrl(), "--user", db.user(), "--migration", MIGRATION);
                    return r.code() == 1;
                });
            }
        }
        assertThat(wrong).isEmpty();
    }

    @FunctionalInterface
    private interface Attempt {
        /** @return whether the path accepted the request */
        boolean run() throws Exception;
    }

    @FunctionalInterface
    private interface JmxCall {
        void run() throws Exception;
    }

    private static void check(List<String> wrong, TestDatabase db, Phase from, Phase to, String path, Outcome expected,
                              Attempt attempt) throws Exception {
        db.execute("UPDATE dualwrite.migration SET phase = '" + from + "', phase_changed_at = now() - interval '1 day'");
        boolean accepted = attempt.run();
        String after = db.queryString("SELECT phase FROM dualwrite.migration");
        Outcome actual;
        if (!after.equals(from.name())) {
            actual = after.equals(to.name()) ? Outcome.MOVED : null;
        } else if (from == to) {
            actual = accepted ? Outcome.STAY : Outcome.REFUSED;
        } else {
            actual = accepted ? null : Outcome.REFUSED; // null: said yes and changed nothing
        }
        if (actual != expected) {
            wrong.add(path + ": " + from + " -> " + to + " expected " + expected + " but was " + actual + " (phase " + after
                    + ", accepted " + accepted + ")");
        }
    }

    private static boolean cliPhase(TestDatabase db, Phase to, boolean force) {
        List<String> args = new ArrayList<>(List.of("phase", "--url", db.jdbcUrl(), "--user", db.user(), "--migration",
                MIGRATION, "--wait", "0", to.name()));
        if (force) {
            args.add("--force");
        }
        Run r = cli(args.toArray(String[]::new));
        assertThat(r.code()).as(r.toString()).isIn(0, 1);
        return r.code() == 0;
    }

    private static boolean jmx(JmxCall call) throws Exception {
        try {
            call.run();
            return true;
        } catch (JMException | RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            assertThat(cause).as("a refusal, not a failure").isInstanceOf(IllegalStateException.class);
            return false;
        }
    }

    private static ObjectName bean() throws JMException {
        return new ObjectName("io.dualwrite:type=Migration,name=" + MIGRATION);
    }

    /** A dualwrite connection whose JMX bean may change phases: the test's superuser is also the operator. */
    private static Connection connectWithOperator(TestDatabase db) throws SQLException {
        Properties p = db.properties();
        p.setProperty(OperatorCredential.USER_PROPERTY, db.user());
        if (db.password() != null) {
            p.setProperty(OperatorCredential.PASSWORD_PROPERTY, db.password());
        }
        return DriverManager.getConnection(db.dualwriteUrl(), p);
    }
}
