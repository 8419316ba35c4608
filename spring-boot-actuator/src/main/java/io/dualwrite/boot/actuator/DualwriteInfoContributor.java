package io.dualwrite.boot.actuator;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.MigrationState;
import io.dualwrite.driver.metrics.KnownMigrations;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@code "dualwrite": {"migrations": {"users.email": {"phase", "appliedHere", "lastParityMismatches", "backfill"}}}}:
 * each migration as the control schema says it (read through the application's DataSource at each request) and
 * the phase this JVM applies. A database without the control schema shows no migrations; one that cannot be read
 * shows the error, never failing the info endpoint.
 */
public class DualwriteInfoContributor implements InfoContributor {

    private final DataSource dataSource;

    public DualwriteInfoContributor(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> migrations = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (MigrationState state : ControlSchema.load(c)) {
                String name = state.spec().name();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("phase", state.phase().name());
                KnownMigrations.Followed here = KnownMigrations.named(name);
                m.put("appliedHere", here == null ? null : here.current().phase().name());
                m.put("lastParityMismatches", state.lastParityMismatches());
                m.put("backfill", backfill(c, name));
                migrations.put(name, m);
            }
        } catch (SQLException | RuntimeException e) {
            builder.withDetail("dualwrite", Map.of("error", "could not read the control schema: " + e.getMessage()));
            return;
        }
        builder.withDetail("dualwrite", Map.of("migrations", migrations));
    }

    /** The backfill's checkpoint: not started, running (rows so far), or complete. */
    private static Map<String, Object> backfill(Connection c, String migration) throws SQLException {
        Map<String, Object> b = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT rows_copied, total_rows, completed_at IS NOT NULL"
                + " FROM dualwrite.backfill_checkpoint WHERE migration = ?")) {
            p.setString(1, migration);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    b.put("state", "not started");
                    return b;
                }
                b.put("state", rs.getBoolean(3) ? "complete" : "running");
                b.put("rowsCopied", rs.getLong(1));
                long total = rs.getLong(2);
                b.put("totalRows", rs.wasNull() ? null : total);
            }
        }
        return b;
    }
}
