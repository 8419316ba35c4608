package io.dualwrite.migrator.backfill;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.migrator.Fixtures;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catch-up pass probes the target's unique index for each row version written since the start, and never hashes
 * the whole target: the planner cannot estimate the xmin filter, and as a NOT EXISTS anti-join the pass would read every
 * target row as soon as one source row qualified.
 */
@ExtendWith(PostgresExtension.class)
class CatchUpPlanTest {

    @Test
    void theCatchUpPassProbesTheTargetPerQualifyingRow(TestDatabase db) throws SQLException {
        Fixtures.createUsers(db, 20_000);
        Fixtures.expandAndDualWrite(db);
        try (Connection c = db.connect()) {
            assertThat(Backfill.run(c, "users.email", new BackfillOptions(5000, 0, false), null).outcome())
                    .isEqualTo(BackfillResult.Outcome.COMPLETED);
        }
        String startXmin = db.queryString("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text");
        // rows moved by writes that are not dual writes, some of them without their copy
        db.execute("UPDATE users SET name = name || ' moved' WHERE id % 100 = 1");
        db.execute("DELETE FROM email_address WHERE user_id % 1000 = 1");
        db.execute("ANALYZE users");
        db.execute("ANALYZE email_address");
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            MigrationSpec spec = ControlSchema.require(c, "users.email").spec();
            MigrationNames names = MigrationNames.of(spec);
            String copy = new BackfillSql(names, SourceTable.inspect(c, spec, names)).catchUpOut(startXmin);
            assertThat(copy).startsWith("COPY (").endsWith(") TO STDOUT");
            String query = copy.substring("COPY (".length(), copy.length() - ") TO STDOUT".length());
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = s.executeQuery("EXPLAIN (COSTS OFF) " + query)) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).as(plan.toString()).contains("SubPlan").contains("Index")
                    .doesNotContain("Hash").doesNotContain("Anti Join");
            long missing = db.queryLong("SELECT count(*) FROM users u WHERE u.email IS NOT NULL AND u.id % 1000 = 1");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (" + query + ") q")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the moved rows without a copy").isEqualTo(missing).isPositive();
            }
        }
    }
}
