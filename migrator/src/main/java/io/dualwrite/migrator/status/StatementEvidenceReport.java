package io.dualwrite.migrator.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The statement evidence the fleet recorded ({@code dualwrite.statement_evidence}), one line per statement over all instances. */
public final class StatementEvidenceReport {

    /**
     * One distinct statement of a migration.
     *
     * @param instances    the instances that sent it, live or gone
     * @param translatable every instance found that NEW_ONLY and CONTRACTED translate it
     * @param refusal      why not, as an instance that refused it recorded; null when translatable
     */
    public record Statement(String migration, String fingerprint, String sample, List<String> instances, long executions,
                            String firstSeen, String lastSeen, boolean translatable, String refusal) {
    }

    private StatementEvidenceReport() {
    }

    /**
     * The statements the fleet sent that name {@code migration}'s table and another migration's (recorded as evidence for
     * both), most recently seen first, at most {@code limit}: each as its sample and the other migrations' names. While
     * both migrations rewrite one in their phases the driver refuses it; a move of either can start that.
     */
    public static List<String> sharedWithOtherMigrations(Connection c, String migration, int limit) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!exists(c)) {
            return out;
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT e.sample, string_agg(DISTINCT o.migration, ', ' ORDER BY o.migration)
                FROM (SELECT fingerprint, min(sample) AS sample, max(last_seen) AS last_seen FROM dualwrite.statement_evidence
                      WHERE migration = ? GROUP BY fingerprint) e
                JOIN dualwrite.statement_evidence o ON o.fingerprint = e.fingerprint AND o.migration <> ?
                GROUP BY e.fingerprint, e.sample, e.last_seen
                ORDER BY e.last_seen DESC, e.fingerprint LIMIT ?""")) {
            p.setString(1, migration);
            p.setString(2, migration);
            p.setInt(3, limit);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " (also " + rs.getString(2) + ")");
                }
            }
        }
        return out;
    }

    private static boolean exists(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass('dualwrite.statement_evidence') IS NOT NULL");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Per migration (by name), untranslatable statements first, then the most recently seen; empty without the table. */
    public static List<Statement> load(Connection c) throws SQLException {
        List<Statement> out = new ArrayList<>();
        if (!exists(c)) {
            return out;
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT migration, fingerprint, min(sample), array_agg(DISTINCT instance ORDER BY instance), sum(executions),
                       min(first_seen)::text, max(last_seen)::text, bool_and(translatable),
                       min(refusal) FILTER (WHERE NOT translatable)
                FROM dualwrite.statement_evidence
                GROUP BY migration, fingerprint
                ORDER BY migration, bool_and(translatable), max(last_seen) DESC, fingerprint""");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new Statement(rs.getString(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getLong(5), rs.getString(6), rs.getString(7),
                        rs.getBoolean(8), rs.getString(9)));
            }
        }
        return out;
    }
}
