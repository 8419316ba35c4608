package io.dualwrite.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Query;
import org.postgresql.core.v3.BatchedQuery;

/** The blocks and block texts {@link InsertBlocks} forms are PgJDBC's own, for the INSERTs PgJDBC rewrites and only those. */
@ExtendWith(PostgresExtension.class)
class InsertBlocksTest {

    @Test
    void blockTextsAreTheOnesPgJdbcDerives(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text, email text)");
        Properties p = db.properties();
        p.setProperty("reWriteBatchedInserts", "true");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
            for (String sql : new String[] {
                    "insert into users (id, email) values (?, ?)",
                    "/* (a comment) */ INSERT INTO users AS u (id, name, email) VALUES (?, 'c', ?), (?, 'd', ?)"
                            + " ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = u.name || '+'",
                    "insert into users values ((?), (select ?::text), lower(?)) on conflict do nothing",
                    "insert into users(id,email)values(?,?)-- trailing ( comment",
                    "insert into users (id, email) values (1, 'no parameters')"}) {
                Query parsed = c.unwrap(BaseConnection.class).getQueryExecutor().createQuery(sql, true, true).query;
                assertThat(parsed).as(sql).isInstanceOf(BatchedQuery.class);
                String derived = ((BatchedQuery) parsed).deriveForMultiBatch(4).getNativeSql().replaceAll("\\$\\d+", "?");
                InsertBlocks blocks = InsertBlocks.of(c, sql, false, true);
                assertThat(blocks.sqlOf(4)).as(sql).isEqualTo(derived);
                assertThat(blocks.blocks(1)).containsExactly(1);
                assertThat(blocks.blocks(7)).containsExactly(4, 2, 1);
                assertThat(blocks.blocks(300)).as("capped at 128").containsExactly(128, 128, 32, 8, 4);
                assertThat(blocks.applies(2)).isTrue();
                assertThat(blocks.applies(1)).isFalse();
            }
            for (String sql : new String[] {
                    "insert into users (id, email) values (?, ?) returning id",
                    "insert into users (id, email) values (?, ?) on conflict (id) do update set name = ?",
                    "insert into users (id, email) select ?, ?",
                    "with x as (select 1) insert into users values (?, ?, ?)",
                    "update users set email = ? where id = ?"}) {
                assertThat(InsertBlocks.of(c, sql, false, true).applies(8)).as(sql).isFalse();
            }
            assertThat(InsertBlocks.of(c, "insert into users (id, email) values (?, ?)", true, true).applies(8))
                    .as("generated keys: PgJDBC appends RETURNING and sends entry by entry").isFalse();
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.properties())) {
            assertThat(InsertBlocks.of(c, "insert into users (id, email) values (?, ?)", false, true).applies(8))
                    .as("reWriteBatchedInserts off").isFalse();
        }
    }
}
