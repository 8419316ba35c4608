package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The old column's CHECK constraints and their twins on the new table, the CHECK counterpart of
 * {@link ValueIndexes#uniqueTwins}: from NEW_ONLY on the old column is not written, so its checks no longer refuse a
 * value. The twin has the constraint's name and its expression over the value column, for primary rows only
 * ({@code CHECK (NOT is_primary OR (length(address) < 40))}); it is validated where the old one is.
 */
public final class ValueChecks {

    private ValueChecks() {
    }

    /**
     * A CHECK constraint of the old column that the new table must keep from NEW_ONLY on.
     *
     * @param name       the old constraint's name, and its twin's on the target
     * @param definition the old constraint, as {@code pg_get_constraintdef} prints it
     * @param add        {@code ALTER TABLE … ADD CONSTRAINT … NOT VALID} of the twin; null when it cannot have one
     * @param validate   {@code ALTER TABLE … VALIDATE CONSTRAINT …}, or null when the old constraint is not validated either
     * @param present    the target has a constraint of that name, validated where the old one is
     * @param whyNot     when no twin can express it: why; else null
     */
    public record CheckTwin(String name, String definition, String add, String validate, boolean present, String whyNot) {
    }

    /** The CHECK constraints that read the old column, and their twins; empty when there are none (or the column is gone). */
    public static List<CheckTwin> checkTwins(Connection c, MigrationSpec spec) throws SQLException {
        List<CheckTwin> out = new ArrayList<>();
        String target = spec.qualifiedTarget();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT k.conname, pg_get_constraintdef(k.oid, true), pg_get_expr(k.conbin, k.conrelid, true), k.convalidated,
                       (SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_attribute a
                         WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) AND a.attname <> e.attname),
                       format_type(e.atttypid, e.atttypmod),
                       (SELECT t.convalidated FROM pg_constraint t WHERE t.conrelid = to_regclass(?) AND t.contype = 'c'
                          AND t.conname = k.conname)
                FROM pg_constraint k JOIN pg_attribute e ON e.attrelid = k.conrelid AND e.attnum = ANY (k.conkey)
                WHERE k.conrelid = to_regclass(?) AND k.contype = 'c' AND e.attname = ? AND NOT e.attisdropped
                ORDER BY k.conname""")) {
            p.setString(1, target);
            p.setString(2, spec.qualifiedSource());
            p.setString(3, spec.sourceColumn());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String definition = rs.getString(2);
                    String others = rs.getString(5);
                    if (others != null) {
                        out.add(new CheckTwin(name, definition, null, null, false, "it combines " + spec.sourceColumn() + " with "
                                + others + ", which " + spec.targetTable() + " does not have"));
                        continue;
                    }
                    String expression = rs.getString(3);
                    if (refusesNull(c, expression, spec.sourceColumn(), rs.getString(6))) {
                        out.add(new CheckTwin(name, definition, null, null, false, "it refuses a NULL " + spec.sourceColumn()
                                + ", which from NEW_ONLY on is a row without a primary " + spec.targetTable() + " row, where no"
                                + " check on " + spec.targetTable() + " runs"));
                        continue;
                    }
                    boolean validated = rs.getBoolean(4);
                    String quoted = Identifiers.quote(name);
                    String add = "ALTER TABLE " + target + " ADD CONSTRAINT " + quoted + " CHECK (NOT "
                            + Identifiers.quote(spec.primaryFlagColumn()) + " OR ("
                            + ValueIndexes.mirror(expression, spec.sourceColumn(), spec.targetValueColumn()) + ")) NOT VALID";
                    String validate = validated ? "ALTER TABLE " + target + " VALIDATE CONSTRAINT " + quoted : null;
                    boolean twinValidated = rs.getBoolean(7);
                    boolean present = !rs.wasNull() && (twinValidated || !validated);
                    out.add(new CheckTwin(name, definition, add, validate, present, null));
                }
            }
        }
        return out;
    }

    /**
     * Whether {@code expression} is false for a NULL column (or fails for it): the old check refused rows without a
     * value. Evaluated under a savepoint inside a transaction, so a failure leaves the caller's transaction usable.
     */
    private static boolean refusesNull(Connection c, String expression, String column, String type) throws SQLException {
        String withNull = ValueIndexes.substitute(expression, column, "NULL::" + type);
        Savepoint savepoint = c.getAutoCommit() ? null : c.setSavepoint();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT (" + withNull + ") IS FALSE")) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            if (savepoint != null) {
                c.rollback(savepoint);
            }
            return true;
        } finally {
            if (savepoint != null) {
                c.releaseSavepoint(savepoint);
            }
        }
    }
}
