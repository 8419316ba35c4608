package io.dualwrite.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A migration outside {@code public} ({@code crm.customers}) is rewritten where it is named with its schema; an
 * unqualified {@code customers} that leads to it is refused. Also when the same string or batch first moves the
 * search_path there ({@code SET LOCAL search_path TO crm; UPDATE customers …}): asked before the string ran, the name led
 * nowhere, and the write ran as written — the old column changed, {@code crm.customer_email} did not (fixture-variety
 * hunt); once the old column is not written, the batch failed with 42703. Refused with 0A000 in every phase, nothing
 * changed; the qualified write is still rewritten.
 */
@ExtendWith(PostgresExtension.class)
class OutsidePublicSearchPathTest {

    private static final String CRM = """
            CREATE SCHEMA crm;
            CREATE TABLE crm.customers(id bigint PRIMARY KEY, name text, email text);
            INSERT INTO crm.customers VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com');
            CREATE TABLE crm.customer_email(customer_id bigint NOT NULL, address text NOT NULL, is_primary boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX ON crm.customer_email(customer_id) WHERE is_primary;
            INSERT INTO crm.customer_email SELECT id, email, true FROM crm.customers;
            """;

    private static final MigrationSpec SPEC = new MigrationSpec("crm", "customers", "id", "email", "crm", "customer_email",
            "customer_id", "address", "is_primary", ControlSchema.syncViewName("crm", "customers", "email"));

    private static final String STATE = "SELECT c.id, c.email, e.address FROM crm.customers c"
            + " LEFT JOIN crm.customer_email e ON e.customer_id = c.id AND e.is_primary ORDER BY c.id";

    private static final List<String> MOVING_FIRST = List.of(
            "SET LOCAL search_path TO crm; UPDATE customers SET email = 'w@example.com' WHERE id = 2",
            "SELECT set_config('search_path', 'crm', true); DELETE FROM customers WHERE id = 2",
            "SET LOCAL search_path TO crm, public; INSERT INTO customers VALUES (9, 'New', 'new@example.com')",
            "SET LOCAL search_path TO crm; SELECT email FROM customers WHERE id = 2");

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"DUAL_WRITE", "READ_NEW", "NEW_ONLY", "CONTRACTED"})
    void aStringOrBatchThatMovesThePathThereFirstIsRefused(Phase phase, TestDatabase db) throws Exception {
        db.execute(CRM);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, SPEC);
            if (phase.writesOld()) {
                MigrationFixture.moveTo(c, SPEC.name(), phase);
            }
        }
        if (!phase.writesOld()) {
            MigrationFixture.enterTranslatingPhase(db, SPEC, phase);
        }
        String state = phase == Phase.CONTRACTED ? STATE.replace("c.email", "NULL") : STATE;
        List<String> before = rows(db, state);
        try (Connection dual = db.connectDualwrite(); Statement s = dual.createStatement()) {
            dual.setAutoCommit(false);
            for (String sql : MOVING_FIRST) {
                SQLException refused = catchThrowableOfType(SQLException.class, () -> s.execute(sql));
                assertThat((Object) refused).as(sql).isNotNull();
                assertThat(refused.getSQLState()).as(sql).isEqualTo("0A000");
                dual.rollback();
            }
            s.addBatch("SET LOCAL search_path TO crm");
            s.addBatch("UPDATE customers SET email = 'batch@example.com' WHERE id = 1");
            SQLException refused = catchThrowableOfType(SQLException.class, s::executeBatch);
            assertThat((Object) refused).as("the batch").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("0A000");
            dual.rollback();
            assertThat(rows(db, state)).as("nothing changed").isEqualTo(before);

            assertThat(s.executeUpdate("UPDATE crm.customers SET email = 'q@example.com' WHERE id = 1")).isEqualTo(1);
            dual.commit();
        }
        assertThat(db.queryString("SELECT address FROM crm.customer_email WHERE customer_id = 1 AND is_primary"))
                .isEqualTo("q@example.com");
    }

    private static List<String> rows(TestDatabase db, String state) throws SQLException {
        try (Connection c = db.connect()) {
            return MigrationFixture.rows(c, state);
        }
    }
}
