package io.dualwrite.control.phase;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.ControlTablesTest;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.SourceColumn;
import io.dualwrite.control.ValueChecks;
import io.dualwrite.control.ValueIndexes;
import io.dualwrite.control.fleet.Fleet;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gates of READ_NEW -> NEW_ONLY and NEW_ONLY -> CONTRACTED, each refusing on its own, and the columns recorded on the way. */
@ExtendWith(PostgresExtension.class)
class OldColumnGatesTest {

    private static final String M = "users.email";

    /** In {@code phase}, a parity check of 0 recorded after the change, nothing else. */
    private static Connection migrationIn(TestDatabase db, Phase phase) throws Exception {
        ControlTablesTest.createUsers(db);
        Connection c = db.connect();
        ControlSchema.register(c, ControlTablesTest.SPEC);
        DeletedKeysTrigger.install(c, ControlTablesTest.SPEC);
        db.execute("UPDATE dualwrite.migration SET phase = '" + phase + "', phase_changed_at = now() - interval '2 days',"
                + " last_parity_mismatches = 0, last_parity_at = now()");
        return c;
    }

    private static void seen(TestDatabase db, String fingerprint, String instance, boolean translatable, String lastSeen)
            throws Exception {
        db.execute("INSERT INTO dualwrite.statement_evidence (migration, fingerprint, instance, sample, executions, first_seen,"
                + " last_seen, translatable, refusal) VALUES ('users.email', '" + fingerprint + "', '" + instance + "',"
                + " 'COPY users (email) FROM STDIN', 3, now() - interval '3 days', " + lastSeen + ", " + translatable + ", "
                + (translatable ? "NULL" : "'COPY cannot be translated'") + ")");
    }

    @Test
    void anUntranslatableStatementSeenWithinTheSoakWindowRefusesNewOnlyAndContract(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            seen(db, "aaaa", "app-1", true, "now()");
            seen(db, "bbbb", "app-2", false, "now() - interval '2 hours'");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> {
                        assertThat(e.unmet()).singleElement().asString().contains("1 statement(s)", "last 24h00m",
                                "fingerprint bbbb from instance app-2 (COPY users (email) FROM STDIN): COPY cannot be translated",
                                "dualwrite status --statements");
                    });
            // a window that ends before it was seen: the move goes ahead
            PhaseWriter.change(c, new PhaseWriter.Request(M, Phase.NEW_ONLY, "t", null, false, null, Duration.ofHours(1)));
            assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");

            db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '2 days', last_parity_at = now()");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.CONTRACTED, "contract", null)
                    .by(PhaseTransitions.Command.CONTRACT, Duration.ofHours(24))))
                    .hasMessageContaining("fingerprint bbbb");
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
    }

    @Test
    void aLiveInstanceNotAcknowledgingRefusesNewOnly(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            Fleet.heartbeat(c, "app-behind", "host-a", 42, Instant.now(), "{\"users.email\":\"DUAL_WRITE\"}");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("instances not yet on READ_NEW", "host-a pid 42", "applies DUAL_WRITE"));
            Fleet.heartbeat(c, "app-behind", "host-a", 42, Instant.now(), "{\"users.email\":\"READ_NEW\"}");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null));
        }
    }

    @Test
    void aNotNullOldColumnRefusesNewOnlyWithTheDdlAndTheAuditSaysToRestoreIt(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.DUAL_WRITE)) {
            db.execute("ALTER TABLE users ALTER COLUMN email SET NOT NULL");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.READ_NEW, "t", null).forced(true)); // records the columns
            db.execute("UPDATE dualwrite.migration SET last_parity_mismatches = 0, last_parity_at = now()");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("\"public\".\"users\".\"email\" is NOT NULL without a default",
                                    "Run ALTER TABLE \"public\".\"users\" ALTER COLUMN \"email\" DROP NOT NULL"));
            db.execute("ALTER TABLE users ALTER COLUMN email SET DEFAULT ''");
            assertThat(GateChecks.unmet(c, M, Phase.READ_NEW, java.util.List.of(Gate.OLD_COLUMN_MAY_STAY_UNSET), Duration.ZERO))
                    .as("a default fills it").isEmpty();
            db.execute("ALTER TABLE users ALTER COLUMN email DROP DEFAULT, ALTER COLUMN email DROP NOT NULL");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", "go"));
        }
        assertThat(db.queryString("SELECT reason FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                .startsWith("go; ").contains("was NOT NULL in READ_NEW",
                        "restore it with ALTER TABLE \"public\".\"users\" ALTER COLUMN \"email\" SET NOT NULL");
    }

    @Test
    void anOldColumnOfANotNullDomainRefusesNewOnlyUntilItHasADefault(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            // the column's type changed under the registered migration (its triggers on the column go with it for a moment)
            db.execute("DROP TRIGGER dualwrite_sync_users_email_old_write ON users;"
                    + " DROP TRIGGER dualwrite_sync_users_email_old_insert ON users;"
                    + " UPDATE users SET email = 'n@example.com' WHERE email IS NULL; CREATE DOMAIN email_n AS text NOT NULL;"
                    + " ALTER TABLE users ALTER COLUMN email TYPE email_n");
            // DROP NOT NULL would not help: the domain's constraint stays
            assertThat(GateChecks.unmet(c, M, Phase.READ_NEW, java.util.List.of(Gate.OLD_COLUMN_MAY_STAY_UNSET), Duration.ZERO))
                    .singleElement().asString().contains("is of domain email_n, which is NOT NULL, and has no default",
                            "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"email\" SET DEFAULT").doesNotContain("DROP NOT NULL");
            db.execute("ALTER DOMAIN email_n SET DEFAULT 'none@example.com'");
            assertThat(GateChecks.unmet(c, M, Phase.READ_NEW, java.util.List.of(Gate.OLD_COLUMN_MAY_STAY_UNSET), Duration.ZERO))
                    .as("the domain's default fills it").isEmpty();
        }
    }

    @Test
    void withoutTheTriggersThatFollowDeletesNewOnlyAndContractAreRefused(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            db.execute("ALTER TABLE users DISABLE TRIGGER " + DeletedKeysTrigger.deleteTriggerName(ControlTablesTest.SPEC));
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("are missing or disabled", "ON DELETE CASCADE", "dualwrite phase NEW_ONLY and dualwrite contract create them"));
            db.execute("ALTER TABLE users ENABLE TRIGGER " + DeletedKeysTrigger.deleteTriggerName(ControlTablesTest.SPEC));
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null));

            db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '2 days';"
                    + " DROP TRIGGER " + DeletedKeysTrigger.truncateTriggerName(ControlTablesTest.SPEC) + " ON users");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.CONTRACTED, "contract", null)
                    .by(PhaseTransitions.Command.CONTRACT, Duration.ZERO)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains(DeletedKeysTrigger.truncateTriggerName(ControlTablesTest.SPEC)));
        }
    }

    @Test
    void aUniqueIndexOnTheOldColumnRefusesNewOnlyUntilItsTwinExistsAndOneNoTwinCanKeepRefusesToo(TestDatabase db)
            throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            db.execute("ALTER TABLE users ADD COLUMN tenant bigint;"
                    // a UNIQUE constraint: its index depends on the constraint, not on the column
                    + " ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email) INCLUDE (tenant);"
                    + " CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE email IS NOT NULL;"
                    + " CREATE UNIQUE INDEX users_tenant_email ON users (tenant, email);"
                    + " CREATE INDEX users_email_plain ON users (email)");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("from NEW_ONLY on \"public\".\"users\".\"email\" is not written",
                                    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"email_address_address_unique_idx\" ON"
                                            + " \"public\".\"email_address\" (\"address\") WHERE \"is_primary\"",
                                    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"email_address_address_expr1_unique_idx\" ON"
                                            + " \"public\".\"email_address\" ((lower(\"address\"))) WHERE \"is_primary\" AND"
                                            + " (\"address\" IS NOT NULL)",
                                    "users_tenant_email", "it combines email with tenant")
                            .doesNotContain("users_email_plain"));
            if (db.queryLong("SELECT current_setting('server_version_num')::int") >= 150000) {
                db.execute("CREATE UNIQUE INDEX users_email_nnd ON users (email) NULLS NOT DISTINCT");
                assertThat(GateChecks.unmet(c, M, Phase.READ_NEW, java.util.List.of(Gate.OLD_COLUMN_CONSTRAINTS_KEPT), Duration.ZERO))
                        .singleElement().asString().contains("users_email_nnd", "NULLS NOT DISTINCT allows one NULL email");
                db.execute("DROP INDEX users_email_nnd");
            }
            for (ValueIndexes.UniqueTwin t : ValueIndexes.uniqueTwins(c, ControlTablesTest.SPEC)) {
                if (t.ddl() != null) {
                    db.execute(t.ddl());
                }
            }
            // what the driver's translation is told: every unique index reading the value, by key, expression or predicate
            assertThat(ValueIndexes.valueUniqueIndexes(c, ControlTablesTest.SPEC)).containsExactlyInAnyOrder("users_email_key",
                    "users_lower_email", "users_tenant_email", "email_address_address_unique_idx",
                    "email_address_address_expr1_unique_idx");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("no twin on the new table can keep unique index users_tenant_email ON public.users USING btree"
                                    + " (tenant, email)").doesNotContain("CONCURRENTLY"));
            db.execute("DROP INDEX users_tenant_email");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null));
            // the twins refuse what the old indexes refused
            db.execute("INSERT INTO email_address VALUES (1, 'A@x', true)");
            assertThatThrownBy(() -> db.execute("INSERT INTO email_address VALUES (2, 'a@x', true)"))
                    .hasMessageContaining("email_address_address_expr1_unique_idx");
            db.execute("INSERT INTO email_address VALUES (2, 'A@x', false)"); // not a primary row: not the old column's value
        }
    }

    @Test
    void aCheckOnTheOldColumnRefusesNewOnlyUntilItsTwinExistsAndOneNoTwinCanKeepRefusesToo(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            db.execute("CREATE TABLE known_email (address text PRIMARY KEY); ALTER TABLE users ADD COLUMN name text,"
                    + " ADD CONSTRAINT email_known FOREIGN KEY (email) REFERENCES known_email,"
                    + " ADD CONSTRAINT email_short CHECK (length(email) < 40),"
                    + " ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID,"
                    + " ADD CONSTRAINT email_present CHECK (email IS NOT NULL) NOT VALID,"
                    + " ADD CONSTRAINT email_not_name CHECK (email <> name)");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("ALTER TABLE \"public\".\"email_address\" ADD CONSTRAINT \"email_short\" CHECK (NOT"
                                            + " \"is_primary\" OR (length(\"address\") < 40)) NOT VALID; ALTER TABLE"
                                            + " \"public\".\"email_address\" VALIDATE CONSTRAINT \"email_short\"",
                                    "ADD CONSTRAINT \"email_lower\" CHECK (NOT \"is_primary\" OR (\"address\" = lower(\"address\")))"
                                            + " NOT VALID; ALTER TABLE \"public\".\"email_address\" ADD CONSTRAINT \"email_short\"",
                                    "constraint email_present CHECK (email IS NOT NULL) NOT VALID (it refuses a NULL email",
                                    "constraint email_not_name CHECK (email <> name) (it combines email with name",
                                    "constraint email_known FOREIGN KEY (email) REFERENCES known_email(address) (a foreign key")
                            .doesNotContain("VALIDATE CONSTRAINT \"email_lower\""));
            for (ValueChecks.CheckTwin t : ValueChecks.checkTwins(c, ControlTablesTest.SPEC)) {
                if (t.add() != null) {
                    db.execute(t.add() + (t.validate() == null ? "" : "; " + t.validate()));
                }
            }
            db.execute("ALTER TABLE users DROP CONSTRAINT email_present, DROP CONSTRAINT email_not_name,"
                    + " DROP CONSTRAINT email_known");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null));
            // the twins refuse what the old checks refused, on primary rows only
            assertThatThrownBy(() -> db.execute("INSERT INTO email_address VALUES (1, 'much-too-long-for-the-check-constraint@example.com', true)"))
                    .hasMessageContaining("email_short");
            assertThatThrownBy(() -> db.execute("INSERT INTO email_address VALUES (1, 'Upper@x', true)"))
                    .hasMessageContaining("email_lower");
            db.execute("INSERT INTO email_address VALUES (1, 'much-too-long-but-not-the-old-column@example.com', false)");
        }
    }

    @Test
    void rowSecurityThatDiffersForReadingRefusesNewOnlyAndOneForAllPolicyLetsItGo(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            db.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY; CREATE POLICY sel ON users FOR SELECT USING (id < 10);"
                    + " CREATE POLICY del ON users FOR DELETE USING (true)");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("row-level security on \"public\".\"users\"", "(del, sel)", "one FOR ALL policy"));
            db.execute("DROP POLICY sel ON users; DROP POLICY del ON users; CREATE POLICY tenant ON users USING (id < 10)");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null));
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
    }

    @Test
    void aTriggerThatReadsOrSetsTheOldColumnRefusesNewOnlyAndContractAndOneThatMerelyMentionsItDoesNot(TestDatabase db)
            throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            db.execute("""
                    CREATE TABLE audit (id bigint, note text);
                    CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN NEW . "email" := lower(NEW.email); RETURN NEW; END $$;
                    CREATE TRIGGER lower_email BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lower_email();
                    CREATE FUNCTION note_change() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN INSERT INTO audit (id, note) VALUES (NEW.id, 'email or other change'); RETURN NULL; END $$;
                    CREATE TRIGGER note_change AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION note_change();
                    CREATE FUNCTION audit_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN INSERT INTO audit SELECT id, email FROM changed; RETURN NULL; END $$;
                    CREATE TRIGGER audit_changed AFTER UPDATE ON users REFERENCING NEW TABLE AS changed
                      FOR EACH STATEMENT EXECUTE FUNCTION audit_changed()""");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("the code of 2 trigger(s) on \"public\".\"users\" uses email",
                                    "CREATE TRIGGER audit_changed AFTER UPDATE ON public.users REFERENCING NEW TABLE AS changed",
                                    "CREATE TRIGGER lower_email BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW",
                                    "is lost without an error", "a trigger on \"public\".\"email_address\"")
                            .doesNotContain("note_change"));
            // disabled triggers do not fire
            db.execute("ALTER TABLE users DISABLE TRIGGER lower_email; ALTER TABLE users DISABLE TRIGGER audit_changed");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null));

            db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '2 days';"
                    + " ALTER TABLE users ENABLE TRIGGER lower_email");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.CONTRACTED, "contract", null)
                    .by(PhaseTransitions.Command.CONTRACT, Duration.ofHours(24))))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("the code of 1 trigger(s)", "lower_email").doesNotContain("audit_changed"));
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
    }

    /** A new table made by hand with another value type: READ_NEW would read other values (fixture-variety hunt). */
    @Test
    void aValueColumnOfAnotherTypeRefusesReadNewAndNewOnly(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.DUAL_WRITE)) {
            db.execute("ALTER TABLE email_address ALTER COLUMN address TYPE character(12)");
            assertThat(GateChecks.unmet(c, M, Phase.DUAL_WRITE, java.util.List.of(Gate.NEW_TABLE_HAS_COLUMN_TYPE), Duration.ZERO))
                    .singleElement().asString().contains("\"public\".\"email_address\".\"address\" is character(12)"
                            + " where \"public\".\"users\".\"email\" is text",
                            "ALTER TABLE \"public\".\"email_address\" ALTER COLUMN \"address\" TYPE text");
            assertThat(GateChecks.unmet(c, M, Phase.READ_NEW, java.util.List.of(Gate.NEW_TABLE_HAS_COLUMN_TYPE), Duration.ZERO))
                    .hasSize(1);
            db.execute("ALTER TABLE email_address ALTER COLUMN address TYPE text");
            assertThat(GateChecks.unmet(c, M, Phase.DUAL_WRITE, java.util.List.of(Gate.NEW_TABLE_HAS_COLUMN_TYPE), Duration.ZERO))
                    .isEmpty();
        }
    }

    @Test
    void anObjectThatReadsTheOldColumnRefusesNewOnlyAndAnIndexDoesNot(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            db.execute("""
                    CREATE INDEX users_email_idx ON users (email);
                    CREATE VIEW user_emails AS SELECT id, email FROM users;
                    ALTER TABLE users ADD COLUMN domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED;
                    CREATE POLICY corp ON users USING (email LIKE '%@corp.example');
                    CREATE UNIQUE INDEX users_email_key ON users (email);
                    CREATE TABLE invites (email text REFERENCES users (email))""");
            assertThat(GateChecks.unmet(c, M, Phase.READ_NEW, java.util.List.of(Gate.NO_OBJECT_READS_OLD_COLUMN), Duration.ZERO))
                    .singleElement().asString().contains("objects in the database read \"public\".\"users\".\"email\":",
                            "constraint invites_email_fkey on table invites", "column domain of table users",
                            "policy corp on table users", "view user_emails", "a view would show stale values")
                    .doesNotContain("users_email_idx");
            db.execute("DROP VIEW user_emails; DROP POLICY corp ON users; ALTER TABLE users DROP COLUMN domain; DROP TABLE invites");
            assertThat(GateChecks.unmet(c, M, Phase.READ_NEW, java.util.List.of(Gate.NO_OBJECT_READS_OLD_COLUMN), Duration.ZERO))
                    .isEmpty();
        }
    }

    @Test
    void enteringNewOnlyRecordsTheSourceColumnsAsTheCatalogHasThem(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.READ_NEW)) {
            db.execute("""
                    ALTER TABLE users ADD COLUMN gone int, ADD COLUMN name text COLLATE "C" NOT NULL DEFAULT 'x' || 'y',
                      ADD COLUMN created timestamptz(3) DEFAULT now();
                    ALTER TABLE users DROP COLUMN gone""");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null));
            assertThat(ControlSchema.sourceColumns(c, M)).containsExactly(
                    new SourceColumn(1, "id", "bigint", null, true, null),
                    new SourceColumn(2, "email", "text", null, false, null),
                    new SourceColumn(3, "name", "text", "pg_catalog.\"C\"", true, "('x'::text || 'y'::text)"),
                    new SourceColumn(4, "created", "timestamp(3) with time zone", null, false, "now()"));
            db.execute("ALTER TABLE users DROP COLUMN created");
            ControlSchema.recordSourceColumns(c, ControlTablesTest.SPEC, false);
            assertThat(ControlSchema.sourceColumns(c, M)).extracting(SourceColumn::name).containsExactly("id", "email", "name");
        }
    }

    @Test
    void contractRefusesUntilTheSoakHasPassedAndReverseSyncAloneLeavesContracted(TestDatabase db) throws Exception {
        try (Connection c = migrationIn(db, Phase.NEW_ONLY)) {
            db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '1 hour', last_parity_at = now()");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.CONTRACTED, "contract", null)
                    .by(PhaseTransitions.Command.CONTRACT, Duration.ofHours(24))))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> assertThat(e.unmet()).singleElement().asString()
                            .contains("the soak time has not passed", "1h00m", "24h00m", "23h00m left"));
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.CONTRACTED, "contract", null)
                    .by(PhaseTransitions.Command.CONTRACT, Duration.ofMinutes(30)));
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "t", null).forced(true)))
                    .hasMessageContaining("is made by dualwrite reverse-sync");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.NEW_ONLY, "reverse-sync", "column re-added")
                    .by(PhaseTransitions.Command.REVERSE_SYNC, Duration.ZERO));
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
    }
}
