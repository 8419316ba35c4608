package io.dualwrite.driver;

import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGResultSetMetaData;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Class 7 of issue 11 and the reads it listed as refused: the same read on twin databases, one
 * through plain PgJDBC without a migration, one through dualwrite in READ_NEW (reading the new
 * table), must give the same rows (in the same order where the query orders them), the same
 * labels, and the same answer to every {@link ResultSetMetaData} and {@link PGResultSetMetaData}
 * question, through a Statement, a PreparedStatement and its metadata before execution.
 *
 * <p>The migrated column has a collation that sorts differently from the database default and a
 * type modifier (expand gives the target column both), and the rows hold emails that compare,
 * group and sort differently under the two collations.
 */
@ExtendWith(PostgresExtension.class)
class ReadNewDifferentialTest {

    static final String SCHEMA = """
            ALTER TABLE users ALTER COLUMN email TYPE varchar(320) COLLATE "C";
            INSERT INTO users VALUES (6, 'Fay', 'bob@example.com'), (7, 'Gus', 'Zed@example.com'),
                                     (8, 'Hal', '_under@example.com'), (9, 'Ida', 'ann@example.com ');
            CREATE FUNCTION mask(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT left(t, 2) || '***' $$;
            """;
    static final String TARGET = """
            ALTER TABLE email_address ALTER COLUMN address TYPE varchar(320) COLLATE "C";
            INSERT INTO email_address VALUES (6, 'bob@example.com', true), (7, 'Zed@example.com', true),
                                             (8, '_under@example.com', true), (9, 'ann@example.com ', true);
            """;

    /** Class 7: the shapes whose sorting, grouping, labels or metadata depend on how the column is read. */
    static final List<String> CLASS_7 = List.of(
            "SELECT id, email FROM users ORDER BY id",
            "SELECT * FROM users ORDER BY id",
            "SELECT u.* FROM users u ORDER BY u.id",
            "SELECT id, email FROM users ORDER BY email, id",
            "SELECT id FROM users WHERE email > 'a' ORDER BY email DESC NULLS FIRST, id",
            "SELECT DISTINCT ON (email) email, id FROM users ORDER BY email, id DESC",
            "SELECT DISTINCT ON (email) upper(name) AS email, id FROM users ORDER BY email, id",
            "SELECT DISTINCT ON (email) id, lower(name) AS email FROM users WHERE email IS NOT NULL ORDER BY email, id",
            "SELECT lower(email) AS email FROM users ORDER BY email",
            "SELECT id, email AS e FROM users ORDER BY e DESC NULLS FIRST, id",
            "SELECT email FROM users UNION SELECT note FROM orders ORDER BY email",
            "SELECT note AS email FROM orders UNION ALL SELECT name FROM users WHERE email IS NOT NULL ORDER BY email",
            "SELECT email FROM users UNION ALL SELECT email FROM users u2 ORDER BY 1",
            "SELECT email COLLATE \"C\" FROM users ORDER BY 1",
            "SELECT email COLLATE \"POSIX\", id FROM users ORDER BY email COLLATE \"POSIX\" DESC, id",
            "SELECT id FROM users ORDER BY email COLLATE \"POSIX\", id",
            "SELECT email, count(*) FROM users GROUP BY email ORDER BY email",
            "SELECT lower(email) AS k, count(*) FROM users GROUP BY 1 ORDER BY 1",
            "SELECT CAST(email AS varchar(100)), id FROM users ORDER BY id",
            "SELECT (email)::text, email::varchar, id FROM users ORDER BY id",
            "SELECT CASE WHEN email IS NULL THEN 'none' ELSE email END, id FROM users ORDER BY id",
            "SELECT max(email), min(email COLLATE \"POSIX\") FROM users",
            "SELECT u.id, u.email, o.amount FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id");

    /** Reads the starting code refused that PostgreSQL runs: each must now be rewritten and read the new table. */
    static final List<String> ONCE_REFUSED = List.of(
            "SELECT id, mask(email) AS m FROM users ORDER BY id",
            "SELECT id, mask(email) FROM users ORDER BY id",
            "SELECT format('%s <%s>', name, email) AS f FROM users ORDER BY id",
            "SELECT concat_ws(',', name, email) AS f FROM users ORDER BY id",
            "SELECT string_agg(email, ',' ORDER BY email) FROM users",
            "SELECT string_agg(DISTINCT email, ';' ORDER BY email DESC) AS all_mail FROM users WHERE email IS NOT NULL",
            "SELECT id FROM users WHERE email ~* 'EXAMPLE.COM$' ORDER BY id",
            "SELECT id, email !~* '^[a-c]' AS late FROM users ORDER BY id",
            "SELECT id FROM users WHERE email IN (VALUES ('ann@example.com'), ('bob@example.com')) ORDER BY id",
            "SELECT id, email FROM users TABLESAMPLE SYSTEM (100) ORDER BY id",
            "SELECT u.id, u.email FROM users AS u TABLESAMPLE BERNOULLI (100) REPEATABLE (7) ORDER BY u.id",
            "TABLE users ORDER BY id",
            "SELECT t.email, t.id FROM (TABLE ONLY users) t ORDER BY t.id");

    /**
     * Lookups by value, which READ_NEW starts from the new table (ValueLookups): duplicates, a trailing space and case
     * under COLLATE "C", NULL operands, a non-primary row's address, and the shapes that keep the subquery (NOT, OR).
     */
    static final List<String> LOOKUPS = List.of(
            "SELECT id, name FROM users WHERE email = 'bob@example.com' ORDER BY id",
            "SELECT id FROM users WHERE email = 'BOB@example.com'",
            "SELECT id FROM users WHERE 'ann@example.com ' = email",
            "SELECT id FROM users u WHERE u.email IN ('ann@example.com', 'Zed@example.com', NULL) ORDER BY id",
            "SELECT id FROM users WHERE email = NULL",
            "SELECT count(*) FROM users WHERE email = 'ann.old@example.com'",
            "SELECT id FROM users WHERE email = 'bob@example.com' AND name = 'Fay'",
            "SELECT id FROM users WHERE NOT email = 'bob@example.com' ORDER BY id",
            "SELECT id FROM users WHERE email = 'bob@example.com' OR id = 3 ORDER BY id",
            "SELECT id FROM users WHERE id BETWEEN 1 AND 8 AND email = 'bob@example.com' ORDER BY id",
            "SELECT o.id FROM orders o WHERE o.user_id IN (SELECT id FROM users WHERE email = 'bob@example.com') ORDER BY o.id",
            "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.email = 'bob@example.com' ORDER BY o.id",
            "SELECT id FROM users u WHERE lower(u.email) = lower('BOB@example.com') ORDER BY id",
            "SELECT id FROM users WHERE trim(email) = 'ann@example.com' ORDER BY id",
            "SELECT id FROM users WHERE upper('zed@example.com') = upper(email)",
            "SELECT id FROM users WHERE coalesce(email, '') = '' ORDER BY id",
            "SELECT id FROM users WHERE email = ANY ('{bob@example.com,Zed@example.com}') ORDER BY id");

    private ReadNewTwins twins;
    private Connection plain;
    private Connection dual;

    @BeforeEach
    void twins(TestDatabase db) throws SQLException {
        twins = ReadNewTwins.open(db);
        plain = twins.plain;
        dual = twins.dual;
    }

    @AfterEach
    void close() throws SQLException {
        twins.close();
    }

    @Test
    void class7ReadsCompareSortGroupAndDescribeLikeThePlainRead() throws SQLException {
        assertThat(differences(CLASS_7)).isEmpty();
    }

    @Test
    void readsOnceRefusedRunAndReadTheNewTable() throws SQLException {
        assertThat(differences(ONCE_REFUSED)).isEmpty();
    }

    @Test
    void lookupsByValueFindTheSameRows() throws SQLException {
        assertThat(differences(LOOKUPS)).isEmpty();
    }

    /** A parameter in the select list is typed by its binding (setString: varchar, setInt: int4), described or executed. */
    @Test
    void parametersInTheSelectListAreDescribedWithTheirBoundTypes() throws SQLException {
        assertThat(observeBound(dual, BOUND_PARAMETERS)).isEqualTo(observeBound(plain, BOUND_PARAMETERS));
    }

    static final String BOUND_PARAMETERS = "SELECT email, ? AS b, coalesce(?, name) AS c FROM users WHERE email = ? ORDER BY id";

    static List<String> observeBound(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setInt(1, 7);
            p.setString(2, "n");
            p.setString(3, "bob@example.com");
            out.addAll(prefixed("described ", describe(p.getMetaData())));
            try (ResultSet rs = p.executeQuery()) {
                out.addAll(prefixed("executed ", describe(rs.getMetaData())));
                out.addAll(MigrationFixture.rows(rs));
            }
        }
        return out;
    }

    private List<String> differences(List<String> statements) throws SQLException {
        return differences(plain, dual, statements);
    }

    /** For each statement whose observations differ: the statement, then each differing observation, plain first. */
    static List<String> differences(Connection plain, Connection dual, List<String> statements) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String sql : statements) {
            List<String> expected = observe(plain, sql);
            List<String> actual = observe(dual, sql);
            if (!expected.equals(actual)) {
                out.add(sql);
                if (expected.get(0).startsWith("error") || actual.get(0).startsWith("error")) {
                    out.add("  plain:     " + expected.get(0));
                    out.add("  dualwrite: " + actual.get(0));
                    continue;
                }
                for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
                    String e = i < expected.size() ? expected.get(i) : "(none)";
                    String a = i < actual.size() ? actual.get(i) : "(none)";
                    if (!e.equals(a)) {
                        out.add("  plain:     " + e);
                        out.add("  dualwrite: " + a);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Everything the application can see of a read: through a Statement its rows and metadata,
     * through a PreparedStatement its metadata before execution, its rows and their metadata.
     */
    static List<String> observe(Connection c, String sql) throws SQLException {
        boolean ordered = sql.contains("ORDER BY");
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            out.addAll(prefixed("statement meta ", describe(rs.getMetaData())));
            out.addAll(prefixed("statement row ", sorted(MigrationFixture.rows(rs), ordered)));
        } catch (SQLException e) {
            out.add("error " + e.getSQLState() + ": " + e.getMessage());
            return out;
        }
        try (PreparedStatement p = c.prepareStatement(sql)) {
            out.addAll(prefixed("described ", describe(p.getMetaData())));
            try (ResultSet rs = p.executeQuery()) {
                out.addAll(prefixed("prepared meta ", describe(rs.getMetaData())));
                out.addAll(prefixed("prepared row ", sorted(MigrationFixture.rows(rs), ordered)));
            }
        }
        return out;
    }

    private static List<String> prefixed(String prefix, List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(prefix + line);
        }
        return out;
    }

    private static List<String> sorted(List<String> rows, boolean ordered) {
        if (!ordered) {
            Collections.sort(rows);
        }
        return rows;
    }

    /** Every answer PgJDBC's metadata gives about every column. */
    static List<String> describe(ResultSetMetaData md) throws SQLException {
        List<String> out = new ArrayList<>();
        PGResultSetMetaData pg = md.unwrap(PGResultSetMetaData.class);
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(i + ": label=" + md.getColumnLabel(i) + " name=" + md.getColumnName(i)
                    + " table=" + md.getTableName(i) + " schema=" + md.getSchemaName(i) + " catalog=" + md.getCatalogName(i)
                    + " base=" + pg.getBaseSchemaName(i) + "." + pg.getBaseTableName(i) + "." + pg.getBaseColumnName(i)
                    + " type=" + md.getColumnType(i) + "/" + md.getColumnTypeName(i) + "/" + md.getColumnClassName(i)
                    + " precision=" + md.getPrecision(i) + " scale=" + md.getScale(i) + " size=" + md.getColumnDisplaySize(i)
                    + " nullable=" + md.isNullable(i) + " auto=" + md.isAutoIncrement(i) + " case=" + md.isCaseSensitive(i)
                    + " searchable=" + md.isSearchable(i) + " currency=" + md.isCurrency(i) + " signed=" + md.isSigned(i)
                    + " readOnly=" + md.isReadOnly(i) + " writable=" + md.isWritable(i)
                    + " definitelyWritable=" + md.isDefinitelyWritable(i) + " format=" + pg.getFormat(i));
        }
        return out;
    }
}
