package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statements that reach {@code users}' rows through another relation, on twins ({@link TwinRun}): a partition or an
 * inheritance child (their rows are users' rows), a view that reads {@code email}, a table whose rule writes it; the
 * driver's rewrites know the table by its name. Without the refusals each of these passed through unsynced in every
 * phase: {@code UPDATE users_lo SET email = …}, an INSERT, a DELETE or a TRUNCATE of a partition (the new table kept
 * the old value, or a deleted user's), an UPDATE of {@code email} through a view, an INSERT into a table whose rule
 * updates it; and from NEW_ONLY on a read of the column in a partition read a column no longer written, or failed with
 * 42703 after the drop. Each statement either behaves as on the original schema or is refused with 0A000, tables
 * unchanged; which ones are refused is asserted. {@code vip_members} and {@code contacts} have names without the
 * table's in them: a text naming only them must still reach the planner.
 */
@ExtendWith(PostgresExtension.class)
class RowSharingRelationsTwinTest {

    private static final String PARTITIONED = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text) PARTITION BY RANGE (id);
            CREATE TABLE users_lo PARTITION OF users FOR VALUES FROM (MINVALUE) TO (100);
            CREATE TABLE users_hi PARTITION OF users FOR VALUES FROM (100) TO (MAXVALUE) PARTITION BY RANGE (id);
            CREATE TABLE vip_members PARTITION OF users_hi FOR VALUES FROM (100) TO (MAXVALUE);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL),
                                     (150, 'Hal', 'hal@example.com');
            """;

    private static final String INHERITED = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text);
            CREATE TABLE users_lo () INHERITS (users);
            CREATE TABLE users_hi (extra int) INHERITS (users);
            CREATE TABLE vip_members () INHERITS (users_hi);
            INSERT INTO users_lo VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL);
            INSERT INTO vip_members VALUES (150, 'Hal', 'hal@example.com');
            """;

    private static final String TARGET = """
            CREATE TABLE email_address(user_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON email_address(user_id) WHERE is_primary;
            INSERT INTO email_address SELECT id, email, true FROM users WHERE email IS NOT NULL;
            """;

    /** Refused from DUAL_WRITE on: each may change the column, or remove a row, where no sync follows. */
    private static final List<String> WRITES = List.of(
            "UPDATE users_lo SET email = 'new@example.com' WHERE id = 1",
            "UPDATE users_lo SET (name, email) = ('Ann', 'row@example.com') WHERE id = 1",
            "UPDATE users_lo u SET id = 7 WHERE u.id = 3",
            "INSERT INTO users_lo (id, name) VALUES (5, 'Eve')",
            "DELETE FROM users_lo WHERE id = 2",
            "WITH d AS (DELETE FROM vip_members WHERE id = 150 RETURNING id) SELECT count(*) FROM d",
            "TRUNCATE users_hi",
            "ALTER TABLE vip_members ADD COLUMN note text",
            "DO $$ BEGIN UPDATE vip_members SET email = 'block@example.com' WHERE id = 150; END $$");

    /** Refused in NEW_ONLY and CONTRACTED only: they read the column of a descendant, which is no longer written. */
    private static final List<String> COLUMN_READS = List.of(
            "SELECT id, email FROM users_lo ORDER BY id",
            "SELECT * FROM users_hi ORDER BY id",
            "UPDATE users_lo SET name = email WHERE id = 1");

    /** Run in every phase as on the original schema. */
    private static final List<String> OTHERS = List.of(
            "SELECT id, name FROM users_lo ORDER BY id",
            "SELECT count(*) FROM vip_members",
            "UPDATE users_lo SET name = upper(name) WHERE id = 2",
            "UPDATE users SET email = 'via-parent@example.com' WHERE id = 150",
            "SELECT id, email FROM users ORDER BY id",
            "DELETE FROM users WHERE id = 2");

    static Stream<Arguments> layouts() {
        return Stream.of("partitioned", "inherited").flatMap(layout -> Stream.of(Phase.DUAL_WRITE, Phase.READ_NEW,
                Phase.NEW_ONLY, Phase.CONTRACTED).map(phase -> Arguments.of(layout, phase)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void writesToADescendantAreRefusedAndItsColumnIsNotReadOnceUnwritten(String layout, Phase phase, TestDatabase db)
            throws Exception {
        List<String> statements = new ArrayList<>(WRITES);
        statements.addAll(COLUMN_READS);
        statements.addAll(OTHERS);
        int refused = refusedOnTwins(layout + " " + phase, (layout.equals("partitioned") ? PARTITIONED : INHERITED),
                phase, db, "SELECT id, name FROM users ORDER BY id", statements,
                sql -> OTHERS.contains(sql) && (sql.contains("email") || phase.readsNew()));
        assertThat(refused).as("refused: the writes, and from NEW_ONLY on the reads of the column")
                .isEqualTo(WRITES.size() + (phase.writesOld() ? 0 : COLUMN_READS.size()));
    }

    /** users is itself a partition of one table, or a child of another. */
    private static final String PARTITION_OF = """
            CREATE TABLE all_users(id bigint NOT NULL, name text, email text) PARTITION BY RANGE (id);
            CREATE TABLE users PARTITION OF all_users (PRIMARY KEY (id)) FOR VALUES FROM (MINVALUE) TO (1000);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL);
            """;

    private static final String CHILD_OF = """
            CREATE TABLE all_users(id bigint NOT NULL, name text, email text);
            CREATE TABLE users (PRIMARY KEY (id)) INHERITS (all_users);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL);
            """;

    /** Refused from DUAL_WRITE on: through the parent they reach users' rows. */
    private static final List<String> PARENT_WRITES = List.of(
            "UPDATE all_users SET email = 'parent@example.com' WHERE id = 1",
            "DELETE FROM all_users WHERE id = 2",
            "TRUNCATE all_users",
            "INSERT INTO all_users VALUES (9, 'Nia', 'nia@example.com')");

    /** Run as on the original schema. */
    private static final List<String> PARENT_OTHERS = List.of(
            "UPDATE all_users SET name = upper(name) WHERE id = 2",
            "SELECT id, email FROM all_users ORDER BY id");

    @ParameterizedTest
    @ValueSource(strings = {"partition of", "child of"})
    void writesToATableUsersIsAPartitionOrChildOfAreRefused(String layout, TestDatabase db) throws Exception {
        List<String> statements = new ArrayList<>(PARENT_WRITES);
        statements.addAll(PARENT_OTHERS);
        int refused = refusedOnTwins(layout, layout.equals("child of") ? CHILD_OF : PARTITION_OF, Phase.DUAL_WRITE, db,
                "SELECT id, name FROM users ORDER BY id", statements, sql -> false);
        assertThat(refused).as("refused: the writes through the parent").isEqualTo(PARENT_WRITES.size());
    }

    private static final String VIEWS = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL),
                                     (150, 'Hal', 'hal@example.com');
            CREATE VIEW contacts AS SELECT id, email AS mail, name FROM users;
            CREATE VIEW vip_contacts AS SELECT id, mail FROM contacts WHERE id > 100;
            CREATE VIEW member_names AS SELECT id, name FROM users;
            CREATE TABLE email_log(user_id bigint, email text);
            CREATE RULE apply_email AS ON INSERT TO email_log
                DO ALSO UPDATE users SET email = NEW.email WHERE id = NEW.user_id;
            CREATE TABLE name_log(user_id bigint, name text);
            CREATE RULE apply_name AS ON INSERT TO name_log
                DO ALSO UPDATE users SET name = NEW.name WHERE id = NEW.user_id;
            CREATE TABLE leavers(user_id bigint);
            CREATE RULE forget AS ON INSERT TO leavers DO ALSO DELETE FROM users WHERE id = NEW.user_id;
            CREATE TABLE joiners(user_id bigint, name text);
            CREATE RULE sign_up AS ON INSERT TO joiners DO INSTEAD INSERT INTO users (id, name) VALUES (NEW.user_id, NEW.name);
            """;

    /**
     * Refused from DUAL_WRITE on: a write to a view that reads the column (it may rename it), or to a table with a rule
     * on the column, or one that deletes or inserts users' rows (an insert may fill the column's default, or a trigger
     * may).
     */
    private static final List<String> VIEW_WRITES = List.of(
            "UPDATE contacts SET mail = 'view@example.com' WHERE id = 1",
            "UPDATE contacts SET name = 'Ann' WHERE id = 1",
            "INSERT INTO contacts (id, mail, name) VALUES (6, 'vi@example.com', 'Vi')",
            "DELETE FROM contacts WHERE id = 2",
            "UPDATE vip_contacts SET mail = 'deep@example.com' WHERE id = 150",
            "INSERT INTO email_log VALUES (2, 'ruled@example.com')",
            "INSERT INTO leavers VALUES (2)",
            "INSERT INTO joiners VALUES (7, 'Joy')",
            "DO $$ BEGIN UPDATE contacts SET mail = 'block@example.com' WHERE id = 2; END $$");

    private static final List<String> VIEW_OTHERS = List.of(
            "SELECT id, mail FROM contacts ORDER BY id",
            "SELECT * FROM vip_contacts",
            "UPDATE member_names SET name = 'Cyd' WHERE id = 3",
            "INSERT INTO name_log VALUES (2, 'Robert')");

    /** Views and rules that read the column keep the gates from NEW_ONLY, so they exist in the phases that write it. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void writesToARelationWithARuleOnTheColumnAreRefused(Phase phase, TestDatabase db) throws Exception {
        List<String> statements = new ArrayList<>(VIEW_WRITES);
        statements.addAll(VIEW_OTHERS);
        int refused = refusedOnTwins("views " + phase, VIEWS, phase, db, "SELECT id, name FROM users ORDER BY id",
                statements, sql -> false);
        assertThat(refused).as("refused: the writes to views and tables with a rule on the column")
                .isEqualTo(VIEW_WRITES.size());
    }

    private static final String PLAIN_VIEWS = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text DEFAULT 'none@example.com');
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL);
            CREATE VIEW member_names AS SELECT id, name FROM users;
            CREATE VIEW renamed_keys AS SELECT name, id AS uid FROM member_names;
            CREATE VIEW signup AS SELECT id, name FROM users;
            CREATE FUNCTION sign_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                INSERT INTO users VALUES (NEW.id, NEW.name, lower(NEW.name) || '@example.com'); RETURN NEW; END $$;
            CREATE TRIGGER sign_up INSTEAD OF INSERT ON signup FOR EACH ROW EXECUTE FUNCTION sign_up();
            """;

    /** Refused from DUAL_WRITE on: through views that do not show the column, each changes its rows unseen. */
    private static final List<String> PLAIN_VIEW_WRITES = List.of(
            "INSERT INTO member_names VALUES (7, 'Gus')",
            "UPDATE renamed_keys SET uid = 8 WHERE uid = 2",
            "UPDATE member_names SET (name, id) = ('Ann', 9) WHERE id = 1",
            "INSERT INTO signup VALUES (8, 'Hy')",
            "COPY signup FROM PROGRAM 'printf \"9\\tIvy\\n\"'");

    /** Refused while no trigger follows deletes, before NEW_ONLY. */
    private static final String PLAIN_VIEW_DELETE = "DELETE FROM member_names WHERE id = 1";

    private static final List<String> PLAIN_VIEW_OTHERS = List.of(
            "UPDATE renamed_keys SET name = 'Cyd' WHERE uid = 3",
            "SELECT * FROM renamed_keys ORDER BY uid",
            "UPDATE users SET email = 'direct@example.com' WHERE id = 3 RETURNING *");

    /** A view that does not read the column still reaches its rows: an INSERT its default, a DELETE, a moved key, a trigger. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void writesThroughAViewThatDoesNotReadTheColumnAreRefusedWhereTheyChangeItsRows(Phase phase, TestDatabase db)
            throws Exception {
        List<String> statements = new ArrayList<>(PLAIN_VIEW_WRITES);
        statements.add(PLAIN_VIEW_DELETE);
        statements.addAll(PLAIN_VIEW_OTHERS);
        int refused = refusedOnTwins("plain views " + phase, PLAIN_VIEWS, phase, db, "SELECT id, name FROM users ORDER BY id",
                statements, sql -> sql.startsWith("UPDATE users"));
        assertThat(refused).as("refused: the writes, and the DELETE until a trigger follows deletes (NEW_ONLY)")
                .isEqualTo(PLAIN_VIEW_WRITES.size() + (phase.writesOld() ? 1 : 0));
    }

    private static final String FILLED_BY_TRIGGER = """
            CREATE TABLE users(id bigint PRIMARY KEY, name text, email text);
            INSERT INTO users VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com'), (3, 'Cy', NULL);
            CREATE VIEW member_names AS SELECT id, name FROM users;
            CREATE FUNCTION fill_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                NEW.email := coalesce(NEW.email, lower(NEW.name) || '@trigger.example'); RETURN NEW; END $$;
            CREATE TRIGGER fill_email BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION fill_email();
            """;

    /**
     * An UPDATE through a view that does not show the column, while a BEFORE trigger on the table may store a value in it:
     * passed through, the value reached the old column only. The same UPDATE of the table itself syncs what is stored.
     * (NEW_ONLY is not reached while a trigger uses the old column: the phase move refuses.)
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW"})
    void anUpdateThroughAViewIsRefusedWhileATriggerMayStoreTheColumn(Phase phase, TestDatabase db) throws Exception {
        int refused = refusedOnTwins("trigger-filled " + phase, FILLED_BY_TRIGGER, phase, db,
                "SELECT id, name FROM users ORDER BY id", List.of("UPDATE member_names SET name = 'Cyrus' WHERE id = 3",
                        "UPDATE users SET name = 'Cyrus' WHERE id = 3"), sql -> sql.startsWith("UPDATE users"));
        assertThat(refused).isEqualTo(1);
    }

    private static final String BY_REGION = """
            CREATE TABLE users(id bigint NOT NULL, region int NOT NULL, name text, email text, PRIMARY KEY (id, region))
                PARTITION BY LIST (region);
            CREATE TABLE users_r0 PARTITION OF users FOR VALUES IN (0);
            CREATE TABLE users_r1 PARTITION OF users FOR VALUES IN (1);
            INSERT INTO users VALUES (1, 0, 'Ann', 'ann@example.com'), (2, 1, 'Bob', 'bob@example.com'), (3, 0, 'Cy', NULL);
            """;

    /** Through the partitioned table itself, rows moving between partitions (a delete and an insert underneath). */
    private static final List<String> MOVES = List.of(
            "UPDATE users SET region = 1 WHERE id = 1",
            "UPDATE users SET region = 1, email = 'moved@example.com' WHERE id = 1",
            "UPDATE users SET region = 1 - region, email = upper(email) RETURNING *",
            "INSERT INTO users VALUES (4, 1, 'Dee', 'dee@example.com')",
            "DELETE FROM users WHERE region = 0",
            "SELECT region, count(email), max(email) FROM users GROUP BY region ORDER BY 1");

    /** The key is unique only with the partition key here, as PostgreSQL requires of a partitioned table's indexes. */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void rowsMovedBetweenPartitionsKeepTheirValue(Phase phase, TestDatabase db) throws Exception {
        assertThat(refusedOnTwins("moves " + phase, BY_REGION, phase, db,
                "SELECT id, region, name FROM users ORDER BY id", MOVES, sql -> true)).isZero();
    }

    /** {@link TwinRun#refusedOnTwins} of {@code fixture} with {@link #TARGET}. */
    private static int refusedOnTwins(String label, String fixture, Phase phase, TestDatabase db, String usersQuery,
                                      List<String> statements, Predicate<String> translated) throws Exception {
        return TwinRun.refusedOnTwins("RowSharingRelationsTwinTest " + label, fixture + TARGET, phase, db, usersQuery,
                statements, translated);
    }
}
