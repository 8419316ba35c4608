package io.dualwrite.driver;

import io.dualwrite.control.phase.PhaseWriter;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.PGCopyOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PgJDBC's COPY API ({@code unwrap(PGConnection.class).getCopyAPI()}, {@code PGCopyOutputStream}) through the driver,
 * in every phase, against plain PgJDBC on a twin with the original schema: the same counts and SQLStates, and the
 * copied rows where the phase keeps them (both sides in step while the old column is written; the new table alone
 * once it is not, also after the drop). The table has an identity column that COPY may write (GENERATED ALWAYS)
 * and a generated column that a COPY without a column list leaves out, and an inheritance child whose rows a COPY of
 * the table does not dump.
 */
@ExtendWith(PostgresExtension.class)
class CopyApiTest {

    private static final String SCHEMA = "ALTER TABLE users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (START WITH 1000);"
            + " ALTER TABLE users ADD COLUMN name_length int GENERATED ALWAYS AS (length(name)) STORED;"
            + " CREATE TABLE vip_users () INHERITS (users);"
            + " INSERT INTO vip_users (id, name, email) OVERRIDING SYSTEM VALUE VALUES (80, 'Child', 'child@example.com');";
    private static final String CSV = "COPY users (id, name, email) FROM STDIN WITH (FORMAT csv)";

    @ParameterizedTest
    @EnumSource(Phase.class)
    void copyIntoTheMigratedTableReachesWhereThePhaseWrites(Phase phase, TestDatabase db) throws Exception {
        try (TestDatabase plainDb = PostgresServer.get().createDatabase()) {
            MigrationFixture.createTables(plainDb);
            plainDb.execute(SCHEMA);
            MigrationFixture.createTables(db);
            db.execute(SCHEMA + " INSERT INTO email_address VALUES (80, 'child@example.com', true);");
            if (phase.writesOld()) {
                MigrationFixture.register(db, phase);
            } else {
                MigrationFixture.register(db, Phase.READ_NEW);
                MigrationFixture.enterTranslatingPhase(db, phase);
            }
            List<String> plainOutcomes;
            List<String> dualOutcomes;
            try (Connection plain = plainDb.connect(); Connection dual = db.connectDualwrite()) {
                plainOutcomes = copies(plain);
                dualOutcomes = copies(dual);
            }
            assertThat(dualOutcomes).isEqualTo(plainOutcomes);
            assertThat(plainOutcomes).startsWith("3", "2", "2", "1", "1", "1", "23505", "auto-commit true", "1", "1", "23505", "1",
                    "22P02");

            Map<Long, String> expected = MigrationFixture.users(plainDb);
            if (phase.writesOld()) {
                assertThat(MigrationFixture.users(db)).isEqualTo(expected);
            }
            if (phase.writesNew()) {
                Map<Long, String> addresses = new TreeMap<>();
                expected.forEach((id, email) -> {
                    if (email != null) {
                        addresses.put(id, email);
                    }
                });
                assertThat(MigrationFixture.primaries(db)).isEqualTo(addresses);
            }
            String rest = "SELECT id, name, name_length FROM users ORDER BY id";
            try (Connection plain = plainDb.connect(); Connection c = db.connect()) {
                assertThat(MigrationFixture.rows(c, rest)).isEqualTo(MigrationFixture.rows(plain, rest));
            }
            assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'dualwrite_copy%'"))
                    .as("staging tables left behind").isZero();
            if (phase == Phase.DUAL_WRITE) {
                // evidence for the gates: what the copies became (the staged INSERTs, the dumps as queries), all translatable
                Await.within(10_000, () -> evidence(db, "sample LIKE '%FROM pg_temp.dualwrite_copy%'") > 0
                        && evidence(db, "sample LIKE 'COPY (SELECT%FROM ONLY users)%'") > 0, "the copies' evidence recorded");
                assertThat(evidence(db, "NOT translatable")).isZero();
            }
        }
    }

    /**
     * FREEZE would apply to the staging table (created in the copy's transaction, so it succeeds where the copy into the
     * table fails, 55000), DEFAULT would find no column default there: refused, nothing written; FREEZE off is staged.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "CONTRACTED"})
    void optionsTheStagingTableWouldChangeAreRefused(Phase phase, TestDatabase db) throws Exception {
        MigrationFixture.createTables(db);
        MigrationFixture.registerIn(db, phase);
        try (Connection dual = db.connectDualwrite()) {
            CopyManager api = dual.unwrap(PGConnection.class).getCopyAPI();
            for (String copy : List.of("COPY users FROM STDIN (FREEZE)", "COPY users FROM STDIN WITH (FORMAT csv, FREEZE true)",
                    "COPY users FROM STDIN FREEZE", "COPY users FROM STDIN (FORMAT csv, DEFAULT '\\D')")) {
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> api.copyIn(copy, new StringReader(copy.contains("csv") ? "31,x,k@x\n" : "31\tx\tk@x\n")), copy);
                assertThat(e.getSQLState()).as(copy).isEqualTo("0A000");
                assertThat(e.getMessage()).contains(copy.contains("DEFAULT") ? "DEFAULT" : "FREEZE");
            }
            assertThat(api.copyIn("COPY users FROM STDIN (FORMAT csv, FREEZE false)", new StringReader("31,x,k@x\n"))).isEqualTo(1);
        }
        assertThat(MigrationFixture.primaries(db)).containsEntry(31L, "k@x").doesNotContainKey(32L);
        assertThat(db.queryLong("SELECT count(*) FROM users")).isEqualTo(6);
    }

    /**
     * A partitioned table: the rows go through the partitioned table (staged, routed to their partitions), and a dump
     * of it where the phase reads new is every partition's rows (a query on it without ONLY; PostgreSQL 14 to 17
     * themselves refuse COPY TO of a partitioned table, 42809).
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"READ_NEW", "CONTRACTED"})
    void aPartitionedTableIsCopiedThroughItsPartitions(Phase phase, TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE users(id bigint PRIMARY KEY, name text, email text) PARTITION BY RANGE (id);
                CREATE TABLE users_low PARTITION OF users FOR VALUES FROM (MINVALUE) TO (50);
                CREATE TABLE users_high PARTITION OF users FOR VALUES FROM (50) TO (MAXVALUE);
                INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (60, 'Zed', NULL), (70, 'Max', 'max@example.com');
                CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
                CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
                INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
                """);
        MigrationFixture.register(db, Phase.READ_NEW);
        if (!phase.writesOld()) {
            MigrationFixture.enterTranslatingPhase(db, phase);
        }
        try (Connection dual = db.connectDualwrite()) {
            CopyManager api = dual.unwrap(PGConnection.class).getCopyAPI();
            assertThat(api.copyIn(CSV, new StringReader("20,Low,low@example.com\n80,High,\n"))).isEqualTo(2);
            StringWriter dump = new StringWriter();
            assertThat(api.copyOut("COPY users TO STDOUT", dump)).isEqualTo(5);
            assertThat(dump.toString().lines().sorted()).containsExactly("1\tAnn\tann@example.com", "20\tLow\tlow@example.com",
                    "60\tZed\t\\N", "70\tMax\tmax@example.com", "80\tHigh\t\\N");
        }
        assertThat(MigrationFixture.primaries(db)).isEqualTo(Map.of(1L, "ann@example.com", 20L, "low@example.com",
                70L, "max@example.com"));
        assertThat(db.queryLong("SELECT count(*) FROM users_low")).isEqualTo(2);
    }

    /**
     * COPY writes a view only through its INSTEAD OF INSERT trigger, which may write the column anywhere: refused from
     * DUAL_WRITE on (staged, its INSERT is a write through the view), nothing written.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "NEW_ONLY"})
    void aCopyIntoAViewWithTriggersIsRefused(Phase phase, TestDatabase db) throws Exception {
        MigrationFixture.createTables(db);
        db.execute("""
                CREATE VIEW signup AS SELECT id, name FROM users;
                CREATE VIEW signup_mail AS SELECT id, email AS mail FROM users;
                CREATE FUNCTION sign_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    INSERT INTO users VALUES (NEW.id, 'x', 'signed@example.com'); RETURN NEW; END $$;
                CREATE TRIGGER sign_up INSTEAD OF INSERT ON signup FOR EACH ROW EXECUTE FUNCTION sign_up();
                CREATE TRIGGER sign_up INSTEAD OF INSERT ON signup_mail FOR EACH ROW EXECUTE FUNCTION sign_up();
                """);
        MigrationFixture.registerIn(db, phase);
        try (Connection dual = db.connectDualwrite()) {
            CopyManager api = dual.unwrap(PGConnection.class).getCopyAPI();
            for (String copy : List.of("COPY signup FROM STDIN", "COPY signup_mail (id, mail) FROM STDIN")) {
                assertThatThrownBy(() -> api.copyIn(copy, new StringReader("9\tNew\n"))).as(copy)
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("0A000");
                            assertThat(e.getMessage()).contains("public.signup", "(a view over the migrated");
                        });
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE id = 9")).isZero();
    }

    /**
     * A copy that runs as written (EXPANDED) keeps its phase pinned until it ends, as a statement does: the instance
     * goes on acknowledging EXPANDED while the rows stream, so no gate passes over a COPY that leaves the new table
     * behind; the next copy is staged.
     */
    @Test
    void aCopyAsWrittenHoldsItsPhaseUntilItEnds(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        String instance = "copy-" + db.name();
        Properties p = db.properties();
        p.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, instance);
        try (Connection dual = DriverManager.getConnection(db.dualwriteUrl(), p)) {
            CopyManager api = dual.unwrap(PGConnection.class).getCopyAPI();
            CopyIn in = api.copyIn(CSV);
            byte[] first = "20,Streamed,streamed@example.com\n".getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(first, 0, first.length);
            try (Connection admin = db.connect()) {
                PhaseWriter.change(admin, PhaseWriter.Request.of(
                        MigrationFixture.MIGRATION, Phase.DUAL_WRITE, "test", "mid-copy"));
            }
            Await.within(2000, () -> SqlTextTransactionPinTest.phaseOf(instance).equals("DUAL_WRITE"),
                    "the instance applies DUAL_WRITE");
            Thread.sleep(1200); // two acknowledgements later
            assertThat(SqlTextTransactionPinTest.notAcknowledging(db)).as("held back by the copy")
                    .singleElement().asString().contains("applies EXPANDED");
            assertThat(in.endCopy()).isEqualTo(1);
            Await.within(2000, () -> SqlTextTransactionPinTest.notAcknowledging(db).isEmpty(),
                    "DUAL_WRITE acknowledged after the copy");
            // written in EXPANDED: the old column only, as the phase it ran in wants
            assertThat(MigrationFixture.users(db)).containsEntry(20L, "streamed@example.com");
            assertThat(MigrationFixture.primaries(db)).doesNotContainKey(20L);
            assertThat(api.copyIn(CSV, new StringReader("21,Staged,staged@example.com\n"))).isEqualTo(1);
            assertThat(MigrationFixture.primaries(db)).containsEntry(21L, "staged@example.com");
        }
    }

    /**
     * {@code readOnly=true} in PgJDBC's default {@code readOnlyMode=transaction} leaves an autocommit COPY writable, and
     * so the staged copy's transaction of the driver's own; the connection is read-only again after it.
     */
    @Test
    void aStagedCopyOnAReadOnlyConnectionInAutocommitWritesAsPgJdbcDoes(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.DUAL_WRITE);
        Properties p = db.properties();
        p.setProperty("readOnly", "true");
        try (Connection dual = DriverManager.getConnection(db.dualwriteUrl(), p)) {
            CopyManager api = dual.unwrap(PGConnection.class).getCopyAPI();
            assertThat(api.copyIn(CSV, new StringReader("20,ReadOnly,ro@example.com\n"))).isEqualTo(1);
            assertThat(dual.isReadOnly()).isTrue();
        }
        assertThat(MigrationFixture.users(db)).containsEntry(20L, "ro@example.com");
        assertThat(MigrationFixture.primaries(db)).containsEntry(20L, "ro@example.com");
    }

    /** The same COPYs on either side: each one's count, or its SQLState. */
    private static List<String> copies(Connection c) throws Exception {
        CopyManager api = c.unwrap(PGConnection.class).getCopyAPI();
        List<String> out = new ArrayList<>();
        out.add(outcome(() -> api.copyIn(CSV, new StringReader("20,Csv,csv@example.com\n21,NoMail,\n22,\"Quo,te\",q@example.com\n"))));
        // no column list: every column but the generated one, in the table's order (also after the drop)
        out.add(outcome(() -> api.copyIn("COPY users FROM STDIN", new StringReader("30\tText\ttext@example.com\n31\tNull\t\\N\n"))));
        out.add(outcome(() -> {
            CopyIn in = api.copyIn("copy public.\"users\" (email, ID) from stdin (format csv)");
            byte[] rows = "e40@example.com,40\n,41\n".getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(rows, 0, rows.length);
            return in.endCopy();
        }));
        out.add(outcome(() -> {
            PGCopyOutputStream stream = new PGCopyOutputStream(c.unwrap(PGConnection.class), CSV + " WHERE id > 50");
            stream.write("50,Skip,skip@example.com\n51,Keep,keep@example.com\n".getBytes(StandardCharsets.UTF_8));
            return stream.endCopy();
        }));
        // binary rows (the staging table has the application's column types) and a CSV header
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        api.copyOut("COPY (SELECT 90::bigint, 'Bin'::text, 'bin@example.com'::text) TO STDOUT (FORMAT binary)", binary);
        out.add(outcome(() -> api.copyIn("COPY users (id, name, email) FROM STDIN (FORMAT binary)",
                new ByteArrayInputStream(binary.toByteArray()))));
        out.add(outcome(() -> api.copyIn(CSV.replace("csv)", "csv, HEADER true)"),
                new StringReader("id,name,email\n91,Header,header@example.com\n"))));
        // a duplicate key: nothing of that COPY stays
        out.add(outcome(() -> api.copyIn(CSV, new StringReader("60,New,new@example.com\n20,Dup,dup@example.com\n"))));
        out.add("auto-commit " + c.getAutoCommit());
        c.setAutoCommit(false);
        out.add(outcome(() -> api.copyIn(CSV, new StringReader("70,RolledBack,rb@example.com\n"))));
        c.rollback();
        out.add(outcome(() -> api.copyIn(CSV, new StringReader("71,Committed,committed@example.com\n"))));
        // a failed COPY rolled back to a savepoint, then one that succeeds, in the same transaction
        Savepoint before = c.setSavepoint();
        out.add(outcome(() -> api.copyIn(CSV, new StringReader("72,Dup,dup@example.com\n71,Again,again@example.com\n"))));
        c.rollback(before);
        out.add(outcome(() -> api.copyIn(CSV, new StringReader("73,AfterSavepoint,sp@example.com\n"))));
        c.commit();
        c.setAutoCommit(true);
        out.add(outcome(() -> api.copyIn(CSV, new StringReader("abc,Bad,bad@example.com\n"))));
        // out again: the table (its own rows, not a child's), a column list, a query; each dump compared
        for (String copyOut : List.of("COPY users TO STDOUT", "COPY users (email, id) TO STDOUT WITH (FORMAT csv, HEADER)",
                "COPY (SELECT upper(email), count(*) FROM users GROUP BY 1 ORDER BY 1) TO STDOUT")) {
            StringWriter dump = new StringWriter();
            out.add(outcome(() -> api.copyOut(copyOut, dump)));
            out.add(dump.toString().lines().sorted().toList().toString());
        }
        return out;
    }

    private static long evidence(TestDatabase db, String where) {
        try {
            return db.queryLong("SELECT count(*) FROM dualwrite.statement_evidence WHERE " + where);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Copy {
        long run() throws Exception;
    }

    private static String outcome(Copy copy) throws Exception {
        try {
            return Long.toString(copy.run());
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
