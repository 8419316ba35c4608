package io.dualwrite.driver;

import io.dualwrite.driver.ShapesByPhaseTest.Api;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DESIGN principle 5: a write to the migrated column that the driver cannot rewrite is refused
 * with an SQLException naming the statement and the phase, and changes nothing. In EXPANDED the
 * same statements are plain pass-through and work.
 */
@ExtendWith(PostgresExtension.class)
class RefusedWriteTest {

    /**
     * @param fragments the refusal message must contain at least one of these pieces of the statement
     * @param expectedUsers users (id -> email) after the statement runs in EXPANDED
     */
    record Refused(String name, String sql, List<String> fragments, Map<Long, String> expectedUsers) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Map<Long, String> users(Object... idEmail) {
        Map<Long, String> m = new java.util.TreeMap<>();
        for (int i = 0; i < idEmail.length; i += 2) {
            m.put(((Number) idEmail[i]).longValue(), (String) idEmail[i + 1]);
        }
        return m;
    }

    private static Map<Long, String> initialWith(long id, String email) {
        Map<Long, String> m = new java.util.TreeMap<>(MigrationFixture.INITIAL_USERS);
        m.put(id, email);
        return m;
    }

    private static Map<Long, String> movedTo(long id, long newId, String email) {
        Map<Long, String> m = new java.util.TreeMap<>(MigrationFixture.INITIAL_USERS);
        m.remove(id);
        m.put(newId, email);
        return m;
    }

    private static Map<Long, String> allEmails(String email) {
        Map<Long, String> m = new java.util.TreeMap<>();
        MigrationFixture.INITIAL_USERS.keySet().forEach(k -> m.put(k, email));
        return m;
    }

    static List<Refused> cases() {
        Map<Long, String> shifted = new java.util.TreeMap<>();
        MigrationFixture.INITIAL_USERS.forEach((k, v) -> shifted.put(k + 1000, v));
        return List.of(
                new Refused("UPDATE of the key column in a row-form SET", "UPDATE users SET (id, name) = (id + 1000, name)",
                        List.of("UPDATE users SET (id"), shifted),
                new Refused("RETURNING inside several statements",
                        "INSERT INTO orders (id, user_id, amount) VALUES (300, 1, 5); UPDATE users SET email = 'x@example.com' RETURNING id",
                        List.of("INSERT INTO orders", "RETURNING"), allEmails("x@example.com")),
                new Refused("UPDATE of ONLY (users) in parentheses",
                        "UPDATE ONLY (users) SET email = 'x@example.com' WHERE id = 2",
                        List.of("ONLY (users)"), initialWith(2, "x@example.com")),
                new Refused("UPDATE of users named with its database",
                        "UPDATE {db}.public.users SET email = 'y@example.com' WHERE id = 3",
                        List.of("public.users"), initialWith(3, "y@example.com")),
                new Refused("INSERT into users named with its database",
                        "INSERT INTO {db}.public.users (id, name, email) VALUES (77, 'q', 'q@example.com')",
                        List.of("public.users"), initialWith(77, "q@example.com")),
                new Refused("MERGE that assigns the key",
                        "MERGE INTO users u USING (VALUES (1, 'm@example.com')) AS s(id, email) ON u.id = s.id "
                                + "WHEN MATCHED THEN UPDATE SET (id, email) = (s.id + 1000, s.email)",
                        List.of("MERGE INTO users"), movedTo(1, 1001, "m@example.com")));
    }

    static Stream<Arguments> writingPhases() {
        List<Arguments> out = new ArrayList<>();
        for (Phase phase : new Phase[] {Phase.DUAL_WRITE, Phase.READ_NEW}) {
            for (Api api : Api.values()) {
                for (Refused r : cases()) {
                    out.add(Arguments.of(phase, api, r));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> expanded() {
        List<Arguments> out = new ArrayList<>();
        for (Api api : Api.values()) {
            for (Refused r : cases()) {
                out.add(Arguments.of(api, r));
            }
        }
        return out.stream();
    }

    private static String normalized(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** {@code {db}} in {@code sql} stands for the connection's database. */
    private static boolean execute(Connection c, Api api, String statement) throws SQLException {
        String sql = statement.replace("{db}", c.getCatalog());
        if (api == Api.STATEMENT) {
            try (Statement s = c.createStatement()) {
                return s.execute(sql);
            }
        }
        try (PreparedStatement p = c.prepareStatement(sql)) {
            return p.execute();
        }
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("writingPhases")
    void refusedWithPhaseAndStatementInTheMessageAndNothingChanges(Phase phase, Api api, Refused r, TestDatabase db)
            throws SQLException {
        MigrationFixture.create(db, phase);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);
        List<String> ordersBefore = MigrationFixture.orders(db);

        try (Connection c = db.connectDualwrite()) {
            assertThatThrownBy(() -> execute(c, api, r.sql()))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> {
                        String message = normalized(e.getMessage());
                        assertThat(message).as("message names the phase").contains(phase.name().toLowerCase(Locale.ROOT));
                        assertThat(r.fragments()).as("message <%s> names the statement", e.getMessage())
                                .anyMatch(f -> message.contains(normalized(f)));
                    });
            // the connection is still usable after a refusal
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }

        assertThat(MigrationFixture.users(db)).as("users unchanged").isEqualTo(MigrationFixture.INITIAL_USERS);
        assertThat(MigrationFixture.emailAddressRows(db)).as("email_address unchanged").isEqualTo(emailAddressBefore);
        assertThat(MigrationFixture.orders(db)).as("orders unchanged").isEqualTo(ordersBefore);
    }

    @ParameterizedTest(name = "EXPANDED {0}: {1}")
    @MethodSource("expanded")
    void passedThroughInExpanded(Api api, Refused r, TestDatabase db) throws SQLException {
        MigrationFixture.create(db, Phase.EXPANDED);
        List<String> emailAddressBefore = MigrationFixture.emailAddressRows(db);

        try (Connection c = db.connectDualwrite()) {
            assumeTrue(!r.sql().startsWith("MERGE") || c.getMetaData().getDatabaseMajorVersion() >= 15,
                    "MERGE exists from PostgreSQL 15");
            execute(c, api, r.sql());
        }

        assertThat(MigrationFixture.users(db)).as("users after").isEqualTo(r.expectedUsers());
        assertThat(MigrationFixture.emailAddressRows(db)).as("email_address unchanged").isEqualTo(emailAddressBefore);
    }
}
