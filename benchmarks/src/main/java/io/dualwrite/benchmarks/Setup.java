package io.dualwrite.benchmarks;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.OldColumnWriteTrigger;
import io.dualwrite.control.phase.PhaseTransitions;
import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/** Creates and fills every table once, before JMH starts its forks; registers the migrations. */
final class Setup {

    private Setup() {
    }

    static void create(Connection c, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance bigint NOT NULL)");
            s.execute("INSERT INTO accounts SELECT i, 'account ' || i, i * 10 FROM generate_series(1, " + rows + ") i");
            for (String v : Bench.VARIANTS) {
                String users = Bench.usersTable(v);
                String target = Bench.targetTable(v);
                s.execute("CREATE TABLE " + users + " (id bigint PRIMARY KEY, name text, email text)");
                s.execute("INSERT INTO " + users + " SELECT i, 'user ' || i, 'user' || i || '@example.com'"
                        + " FROM generate_series(1, " + rows + ") i");
                if (target != null) {
                    createTarget(s, target, users);
                }
            }
            // the AFTER trigger of the pgroll / pt-osc way, doing what the sync view's trigger does
            s.execute("""
                    CREATE FUNCTION users_trg_sync() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP <> 'DELETE' AND NEW.email IS NOT NULL THEN
                        INSERT INTO email_address_trg (user_id, address, is_primary) VALUES (NEW.id, NEW.email, true)
                          ON CONFLICT (user_id) WHERE is_primary DO UPDATE SET address = EXCLUDED.address;
                      ELSE
                        DELETE FROM email_address_trg WHERE user_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END
                          AND is_primary;
                      END IF;
                      RETURN NULL;
                    END $$""");
            s.execute("CREATE TRIGGER users_trg_sync AFTER INSERT OR UPDATE OF email OR DELETE ON users_trg"
                    + " FOR EACH ROW EXECUTE FUNCTION users_trg_sync()");

            s.execute("CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text)");
            s.execute("INSERT INTO customers SELECT i, 'customer ' || i, 'customer' || i || '@example.com'"
                    + " FROM generate_series(1, " + rows + ") i");
            createTarget(s, "customer_email", "customers");
            // lookups by email (ReadNewBenchmark.readByEmail): the old column's index, and its twin expand creates
            s.execute("CREATE INDEX ON customers (email)");
            s.execute("CREATE INDEX ON customer_email (address) WHERE is_primary");

            // after the contract: members.email dropped (the legacy SQL is translated) beside the new-schema twin
            s.execute("CREATE TABLE members (id bigint PRIMARY KEY, name text, email text)");
            s.execute("INSERT INTO members SELECT i, 'member ' || i, 'member' || i || '@example.com'"
                    + " FROM generate_series(1, " + rows + ") i");
            createTarget(s, "member_email", "members");
            s.execute("CREATE TABLE members_hw (id bigint PRIMARY KEY, name text)");
            s.execute("INSERT INTO members_hw SELECT id, name FROM members");
            createTarget(s, "member_email_hw", "members");
        }
        ControlSchema.register(c, Bench.usersSpec());
        PhaseWriter.change(c, PhaseWriter.Request.of("users.email", Phase.DUAL_WRITE, "bench", "benchmarks"));
        ControlSchema.register(c, Bench.syncViewSpec());
        PhaseWriter.change(c, PhaseWriter.Request.of("users_sv.email", Phase.DUAL_WRITE, "bench", "benchmarks"));
        ControlSchema.register(c, Bench.customersSpec());
        PhaseWriter.change(c, PhaseWriter.Request.of("customers.email", Phase.DUAL_WRITE, "bench", "benchmarks"));
        PhaseWriter.change(c, PhaseWriter.Request.of("customers.email", Phase.READ_NEW, "bench", "benchmarks (backfilled at creation)").forced(true));
        contract(c, Bench.membersSpec());
        if (!c.getAutoCommit()) {
            c.commit();
        }
        try (Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE");
        }
    }

    private static void contract(Connection c, MigrationSpec spec) throws SQLException {
        walk(c, spec, Phase.CONTRACTED);
    }

    /**
     * Registers a backfilled migration and walks it to {@code target} the way the runbook does, gates skipped (the
     * tables were created in step): the phase writer records the source columns on the way, and CONTRACTED drops
     * the column.
     */
    static void walk(Connection c, MigrationSpec spec, Phase target) throws SQLException {
        ControlSchema.register(c, spec);
        for (Phase phase : List.of(Phase.DUAL_WRITE, Phase.READ_NEW, Phase.NEW_ONLY)) {
            if (phase.ordinal() > target.ordinal()) {
                return;
            }
            if (phase == Phase.NEW_ONLY) {
                DeletedKeysTrigger.install(c, spec);   // as phase NEW_ONLY does: a DELETE pays for them
            }
            PhaseWriter.change(c, PhaseWriter.Request.of(spec.name(), phase, "bench", "benchmarks").forced(true));
        }
        if (target != Phase.CONTRACTED) {
            return;
        }
        try (Statement s = c.createStatement()) {
            for (String drop : OldColumnWriteTrigger.dropSql(spec)) { // as contract does: they depend on the column
                s.execute(drop);
            }
            s.execute("ALTER TABLE " + spec.qualifiedSource() + " DROP COLUMN " + Identifiers.quote(spec.sourceColumn()));
        }
        PhaseWriter.change(c, PhaseWriter.Request.of(spec.name(), Phase.CONTRACTED, "bench", "benchmarks")
                .by(PhaseTransitions.Command.CONTRACT, Duration.ZERO).forced(true));
    }

    /** An email_address copy, backfilled from its source (the state after dualwrite backfill). */
    private static void createTarget(Statement s, String target, String source) throws SQLException {
        s.execute("CREATE TABLE " + target + " (user_id bigint NOT NULL, address text NOT NULL,"
                + " is_primary boolean NOT NULL DEFAULT false)");
        s.execute("CREATE UNIQUE INDEX ON " + target + " (user_id) WHERE is_primary");
        s.execute("INSERT INTO " + target + " SELECT id, email, true FROM " + source + " WHERE email IS NOT NULL");
    }
}
