package io.dualwrite.migrator.contract;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.Fixtures.Run;
import io.dualwrite.migrator.backfill.Backfill;
import io.dualwrite.migrator.backfill.BackfillOptions;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.dualwrite.migrator.Fixtures.cli;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ContractTest {

    private static Run run(TestDatabase db, String... args) {
        String[] base = {"--url", db.jdbcUrl(), "--user", db.user(), "--migration", "users.email"};
        String[] all = Arrays.copyOf(args, args.length + base.length);
        System.arraycopy(base, 0, all, args.length, base.length);
        return cli(all);
    }

    private static void backfilled(TestDatabase db) throws SQLException {
        Fixtures.createUsers(db, 3000);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            Backfill.run(c, "users.email", new BackfillOptions(1000, 0, false), null);
        }
    }

    /** NEW_ONLY since {@code since} ago: the phase row is forced with plain SQL. */
    private static void forceNewOnly(TestDatabase db, String since) throws SQLException {
        db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY', phase_changed_at = now() - interval '" + since
                + "' WHERE name = 'users.email'");
    }

    @Test
    void contractAndReverseSyncRefuseBeforeNewOnly(TestDatabase db) throws Exception {
        backfilled(db);
        Run c = run(db, "contract");
        assertThat(c.code()).as(c.toString()).isEqualTo(1);
        assertThat(c.err()).contains("contract runs in NEW_ONLY", "the migration is in DUAL_WRITE");
        Run r = run(db, "reverse-sync");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("reverse-sync runs in NEW_ONLY", "the migration is in DUAL_WRITE");
        assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'email_address'::regclass"))
                .as("no mirror installed by a refused run").isZero();
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isEqualTo(1);
    }

    @Test
    void contractRefusesUntilTheSoakTimeHasPassed(TestDatabase db) throws Exception {
        backfilled(db);
        forceNewOnly(db, "1 hour");
        Run c = run(db, "contract", "--soak", "24h");
        assertThat(c.code()).as(c.toString()).isEqualTo(1);
        assertThat(c.err()).contains("soak time has not passed", "1h00m", "24h00m");
        assertThat(run(db, "contract", "--soak", "30m", "--dry-run").code()).isZero();
    }

    @Test
    void dryRunListsEveryGateWithItsVerdictAndTheDdl(TestDatabase db) throws Exception {
        backfilled(db);
        forceNewOnly(db, "1 hour");
        db.execute("INSERT INTO dualwrite.statement_evidence (migration, fingerprint, instance, sample, executions, translatable,"
                + " refusal) VALUES ('users.email', 'f1', 'app-1', 'SELECT email FROM users FOR UPDATE OF x', 3, false,"
                + " 'no translation for this shape')");
        Run dry = run(db, "contract", "--soak", "24h", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isEqualTo(1);
        assertThat(dry.out()).contains("[NOT MET] the soak time has passed in the current phase: the soak time has not passed",
                "[ok] every live application instance applies the current phase",
                "[NOT MET] every statement the fleet sent within the soak window can be translated", "no translation for this shape",
                "contract would refuse", "ALTER TABLE \"public\".\"users\" DROP COLUMN \"email\";");
        Run json = run(db, "contract", "--soak", "24h", "--dry-run", "--json");
        assertThat(json.code()).isEqualTo(1);
        assertThat(json.out()).contains("\"gate\":\"SOAK_PASSED\",\"holds\":false").doesNotContain("PARITY_ZERO");
        Run refused = run(db, "contract", "--soak", "30m");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("cannot be translated without the old column");
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isEqualTo(1);
    }

    @Test
    void contractRefusesWhileObjectsOfTheUsersDependOnTheColumnAndNamesThem(TestDatabase db) throws Exception {
        backfilled(db);
        forceNewOnly(db, "2 days");
        db.execute("CREATE VIEW user_emails AS SELECT id, email FROM users");
        db.execute("CREATE TABLE audit (id bigint, note text)");
        db.execute("CREATE FUNCTION audit_email() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " INSERT INTO audit VALUES (NEW.id, 'email may have changed'); RETURN NEW; END$$");
        db.execute("CREATE TRIGGER email_changed AFTER UPDATE OF email ON users FOR EACH ROW EXECUTE FUNCTION audit_email()");
        db.execute("CREATE TRIGGER any_change AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit_email()");
        db.execute("CREATE INDEX users_email_idx ON users (email)");
        // on 14 its dependency is automatic: DROP COLUMN would take it along unasked
        db.execute("ALTER TABLE users ADD COLUMN domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED");
        // code PostgreSQL records no dependency for: named for review when it names the table and the column
        db.execute("CREATE FUNCTION email_of(p_id bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$BEGIN"
                + " RETURN (SELECT email FROM public.users WHERE id = p_id); END$$");
        db.execute("CREATE FUNCTION tidy_email(email text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(email)'");
        Run dry = run(db, "contract", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isEqualTo(1);
        assertThat(dry.out()).contains("[NOT MET] nothing else in the database depends on the column: ", "domain of table users;"
                        + " trigger email_changed on table users; view user_emails", "contract would refuse",
                "[check] the code of trigger any_change on table users names the column",
                "[check] the code of function email_of(bigint) names the table and the column",
                "dropped with the column: index users_email_idx");
        assertThat(dry.out()).doesNotContain("tidy_email");
        assertThat(run(db, "contract", "--dry-run", "--json").out())
                .contains("\"dependents\":[\"", "domain of table users\",\"trigger email_changed on table users\",\"view user_emails\"]",
                        "\"functionsNamingColumn\":[\"function email_of(bigint)\"]");
        Run refused = run(db, "contract");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("other objects depend on \"public\".\"users\".email: ", "column domain of table users",
                "trigger email_changed on table users; view user_emails", "contract never drops objects of yours", "Recreate them on");
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
        assertThat(db.queryLong("SELECT count(*) FROM pg_views WHERE viewname = 'user_emails'")).isOne();

        db.execute("DROP VIEW user_emails");
        db.execute("DROP TRIGGER email_changed ON users");
        db.execute("ALTER TABLE users DROP COLUMN domain");
        // once it records NEW.email (stale from NEW_ONLY on, an error after the drop) it refuses, with what else still does
        db.execute("CREATE OR REPLACE FUNCTION audit_email() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " INSERT INTO audit VALUES (NEW.id, NEW.email); RETURN NEW; END$$");
        db.execute("CREATE VIEW user_emails AS SELECT id, email FROM users");
        Run stillUsed = run(db, "contract");
        assertThat(stillUsed.code()).as(stillUsed.toString()).isEqualTo(1);
        assertThat(stillUsed.err()).contains("the code of 1 trigger(s) on \"public\".\"users\" uses email: CREATE TRIGGER"
                + " any_change AFTER UPDATE ON public.users", "other objects depend on \"public\".\"users\".email: view user_emails");
        db.execute("DROP VIEW user_emails");
        // code that only mentions the name is listed for review and does not refuse
        db.execute("CREATE OR REPLACE FUNCTION audit_email() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " INSERT INTO audit VALUES (NEW.id, 'email may have changed'); RETURN NEW; END$$");
        Run c = run(db, "contract");
        assertThat(c.code()).as(c.toString()).isZero();
        assertThat(c.err()).contains("note: the code of trigger any_change on table users names email",
                "note: the code of function email_of(bigint) names users and email");
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("CONTRACTED");
    }

    @Test
    void contractNeedsNoParityBecauseTheOldColumnIsStaleByDesignInNewOnly(TestDatabase db) throws Exception {
        backfilled(db);
        forceNewOnly(db, "2 days");
        db.execute("UPDATE email_address SET address = 'new-only@example.com' WHERE user_id = 41"); // a NEW_ONLY write
        Run c = run(db, "contract");
        assertThat(c.code()).as(c.toString()).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isZero();
        assertThat(db.queryString("SELECT address FROM email_address WHERE user_id = 41 AND is_primary"))
                .isEqualTo("new-only@example.com");
    }

    @Test
    void reverseSyncCopiesNewIntoOldThenContractDropsTheColumn(TestDatabase db) throws Exception {
        backfilled(db);
        forceNewOnly(db, "2 days");
        // writes in NEW_ONLY reach only the new table
        db.execute("UPDATE email_address SET address = 'new-only@example.com' WHERE user_id = 41");
        db.execute("DELETE FROM email_address WHERE user_id = 43");
        db.execute("INSERT INTO email_address VALUES (49, 'was-null@example.com', true)"); // 49 % 7 = 0: NULL email
        try (Connection c = db.connect()) {
            String keyType = ControlSchema.columnType(c, "public", "users", "id");
            var spec = ControlSchema.require(c, "users.email").spec();
            // the batch statement on its own: first batch, then one after key 1000
            c.setAutoCommit(false);
            try (var p = c.prepareStatement(ReverseSync.lockSql(MigrationNames.of(spec), keyType, false))) {
                p.setString(1, "3000");
                p.setInt(2, 1000);
                try (var rs = p.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("1000");
                    assertThat(rs.getLong(2)).isEqualTo(1000);
                }
            }
            try (var p = c.prepareStatement(ReverseSync.copySql(MigrationNames.of(spec), keyType, false))) {
                p.setString(1, "1000");
                assertThat(p.executeUpdate()).isEqualTo(3);
            }
            c.commit();
            c.setAutoCommit(true);
        }
        assertThat(db.queryString("SELECT email FROM users WHERE id = 41")).isEqualTo("new-only@example.com");
        assertThat(db.queryString("SELECT email FROM users WHERE id = 43")).isNull();
        assertThat(db.queryString("SELECT email FROM users WHERE id = 49")).isEqualTo("was-null@example.com");

        db.execute("UPDATE email_address SET address = 'late@example.com' WHERE user_id = 2500");
        Run rs = run(db, "reverse-sync", "--batch-size", "700");
        assertThat(rs.code()).as(rs.toString()).isZero();
        assertThat(rs.out()).contains("1 old values rewritten", "parity 0 mismatches");

        Run dry = run(db, "contract", "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("SET LOCAL lock_timeout = '2000ms'", "ALTER TABLE \"public\".\"users\" DROP COLUMN \"email\"",
                "phase NEW_ONLY -> CONTRACTED");
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isEqualTo(1);

        // a long transaction holding a lock on users: contract gives up after its attempts, changing nothing
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE users IN ACCESS SHARE MODE");
            }
            Run blocked = run(db, "contract", "--lock-timeout", "100ms", "--attempts", "2");
            assertThat(blocked.code()).as(blocked.toString()).isEqualTo(1);
            assertThat(blocked.err()).contains("could not get the lock", "2 attempts", "retrying");
            holder.rollback();
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");

        Run done = run(db, "contract");
        assertThat(done.code()).as(done.toString()).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isZero();
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("CONTRACTED");
        assertThat(db.queryString("SELECT from_phase || '>' || to_phase FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                .isEqualTo("NEW_ONLY>CONTRACTED");
        // recorded in the DROP's transaction, as the table was just before it
        assertThat(db.queryString("SELECT string_agg(position || ':' || name || ':' || type, ',' ORDER BY position)"
                + " FROM dualwrite.source_column WHERE migration = 'users.email'")).isEqualTo("1:id:bigint,2:name:text,3:email:text");
        // a second run finds the work done: exit 0, nothing changed (a script, or a first run whose acknowledgement was lost)
        Run again = run(db, "contract");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("already contracted");
        assertThat(db.queryString("SELECT from_phase || '>' || to_phase FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                .isEqualTo("NEW_ONLY>CONTRACTED");
        Run phaseAgain = run(db, "phase", "CONTRACTED");
        assertThat(phaseAgain.code()).as(phaseAgain.toString()).isZero();
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("CONTRACTED");
        // nothing left to compare: refused with what to do, not a SQL error about the dropped column
        for (String mode : new String[] {"chunked", "full"}) {
            Run parity = run(db, "parity", "--mode", mode);
            assertThat(parity.code()).as(parity.toString()).isEqualTo(1);
            assertThat(parity.err()).contains("refused: parity compares the old column", "reverse-sync re-adds it");
        }
    }

    @Test
    void reverseSyncAfterTheDropReaddsTheRecordedTypeAndSaysWhatChanged(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200) COLLATE \"C\" DEFAULT 'none@example.com', name text)");
        db.execute("INSERT INTO users SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'U' || g || '@example.com' END, 'n' || g"
                + " FROM generate_series(1, 500) g");
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            Backfill.run(c, "users.email", new BackfillOptions(1000, 0, false), null);
        }
        forceNewOnly(db, "2 days");
        Run contract = run(db, "contract", "--soak", "1h");
        assertThat(contract.code()).as(contract.toString()).isZero();
        db.execute("UPDATE email_address SET address = 'after-drop@example.com' WHERE user_id = 7"); // a CONTRACTED write

        Run rs = run(db, "reverse-sync");
        assertThat(rs.code()).as(rs.toString()).isZero();
        assertThat(rs.out()).contains("re-added the column: ALTER TABLE \"public\".\"users\" ADD COLUMN \"email\" character varying(200)"
                        + " COLLATE pg_catalog.\"C\"", "CONTRACTED -> NEW_ONLY",
                "users.email was column 2 and is now column 3 of 3", "SELECT * and INSERT without a column list keep the recorded order",
                "SET DEFAULT 'none@example.com'::character varying", "parity 0 mismatches", "next: dualwrite phase");
        assertThat(db.queryString("SELECT format_type(atttypid, atttypmod) || ' ' || (SELECT collname FROM pg_collation"
                + " WHERE oid = attcollation) || ' ' || attnotnull || ' ' || atthasdef FROM pg_attribute"
                + " WHERE attrelid = 'users'::regclass AND attname = 'email'")).isEqualTo("character varying(200) C false false");
        assertThat(db.queryString("SELECT email FROM users WHERE id = 7")).isEqualTo("after-drop@example.com");
        assertThat(db.queryString("SELECT email FROM users WHERE id = 10")).isNull();
        assertThat(db.queryString("SELECT email FROM users WHERE id = 11")).isEqualTo("U11@example.com");
        // the recorded order stays the original one: the driver keeps SELECT * as it was
        assertThat(db.queryString("SELECT string_agg(name, ',' ORDER BY position) FROM dualwrite.source_column")).isEqualTo("id,email,name");
        Run status = cli("status", "--url", db.jdbcUrl(), "--user", db.user());
        assertThat(status.out()).contains("old column re-added", "was column 2 and is now column 3 of 3",
                "reverse-sync: complete at", "mirror trigger on email_address", "users.email was re-added after the contract",
                "users.email is column 3 of 3 for plain clients, column 2 in the recorded order");

        Run again = run(db, "reverse-sync");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("already complete", "parity 0 mismatches").doesNotContain("re-added");
        Run back = run(db, "phase", "READ_NEW");
        assertThat(back.code()).as(back.toString()).isZero();
    }

    /** Keys the application inserts above the last one while reverse-sync runs are the mirror's: the batches stop. */
    @Test
    void reverseSyncDoesNotChaseKeysInsertedAboveTheLastOne(TestDatabase db) throws Exception {
        backfilled(db);
        forceNewOnly(db, "2 days");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong inserted = new AtomicLong();
        Thread signups = new Thread(() -> {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                while (!stop.get()) {
                    s.execute("WITH i AS (INSERT INTO users (name) VALUES ('signup') RETURNING id) INSERT INTO email_address"
                            + " (user_id, address, is_primary) SELECT id, 'signup' || id || '@example.com', true FROM i");
                    inserted.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        signups.start();
        try (Connection c = db.connect()) {
            while (inserted.get() < 50) {
                Thread.sleep(5);
            }
            // the signups before the run are its to copy (however many a loaded machine let through): the bound is the
            // last key just before it starts, plus what the signups add while it installs the mirror and reads its own
            // (one key over 10 batches' worth once, with another build on the machine: 25 now)
            long lastKeyBefore = db.queryLong("SELECT max(id) FROM users");
            ReverseSync.Result r = ReverseSync.run(c, db::connect, "users.email", ReverseSync.Options.batches(20), m -> { });
            assertThat(r.batches()).isLessThanOrEqualTo(lastKeyBefore / 20 + 25); // up to the last key at the start, no further
            assertThat(r.parity().mismatches()).isZero();
        } finally {
            stop.set(true);
            signups.join(10_000);
        }
        assertThat(inserted.get()).isPositive();
        assertThat(db.queryLong("SELECT count(*) FROM users u JOIN email_address e ON e.user_id = u.id AND e.is_primary"
                + " WHERE u.id > 3000 AND u.email IS DISTINCT FROM e.address")).isZero();
    }
}
