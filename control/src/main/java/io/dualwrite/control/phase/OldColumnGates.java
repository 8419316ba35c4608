package io.dualwrite.control.phase;

import io.dualwrite.control.ColumnUses;
import io.dualwrite.control.ConstraintRestores;
import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.DeletedKeysTrigger;
import io.dualwrite.control.ValueChecks;
import io.dualwrite.control.ValueIndexes;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The gates of leaving the old column behind ({@link Gate#STATEMENTS_TRANSLATABLE},
 * {@link Gate#OLD_COLUMN_MAY_STAY_UNSET}, {@link Gate#OLD_COLUMN_CONSTRAINTS_KEPT}, {@link Gate#DELETES_REACH_NEW_TABLE},
 * {@link Gate#ROW_SECURITY_READS_WHAT_IT_WRITES}, {@link Gate#NO_TRIGGER_USES_OLD_COLUMN},
 * {@link Gate#NO_OBJECT_READS_OLD_COLUMN}): each returns its refusal,
 * or null when it holds.
 */
final class OldColumnGates {

    /** How many untranslatable statements a refusal lists; {@code dualwrite status --statements} lists them all. */
    static final int LISTED = 5;

    private OldColumnGates() {
    }

    /**
     * The statements recorded ({@code dualwrite.statement_evidence}, by any instance, live or gone) with a
     * {@code last_seen} within {@code window} that the phases without the old column refuse; null when none.
     */
    static String untranslatable(Connection c, String migration, Duration window) throws SQLException {
        if (!evidenceTableExists(c)) {
            return "no statement evidence is recorded (the control schema predates version 3): run dualwrite expand to"
                    + " upgrade it, let the fleet run with this driver version for the soak window, then try again";
        }
        List<String> listed = new ArrayList<>();
        long total = 0;
        try (PreparedStatement p = c.prepareStatement("""
                SELECT fingerprint, instance, coalesce(refusal, 'refused'), sample, count(*) OVER ()
                FROM dualwrite.statement_evidence
                WHERE migration = ? AND NOT translatable AND last_seen > now() - make_interval(secs => ?)
                ORDER BY last_seen DESC, fingerprint, instance LIMIT ?""")) {
            p.setString(1, migration);
            p.setDouble(2, window.toMillis() / 1000.0);
            p.setInt(3, LISTED);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    total = rs.getLong(5);
                    listed.add("fingerprint " + rs.getString(1) + " from instance " + rs.getString(2) + " (" + rs.getString(4)
                            + "): " + rs.getString(3));
                }
            }
        }
        if (total == 0) {
            return null;
        }
        return total + " statement(s) the fleet sent within the last " + GateChecks.human(window.toSeconds())
                + " cannot be translated without the old column, so the driver would refuse them after this move: "
                + String.join(" | ", listed) + (total > LISTED ? " | and " + (total - LISTED) + " more" : "")
                + ". Change the application so it no longer sends them (dualwrite status --statements lists them all),"
                + " then wait until none was seen within the soak window";
    }

    /**
     * Null when the old column accepts a row that leaves it unset: nullable, or with a default (or gone
     * already); else the refusal with the DDL that fixes it.
     */
    /** Why the new table's value column does not have the old column's type ({@link Gate#NEW_TABLE_HAS_COLUMN_TYPE}), or null. */
    static String targetTypeDiffers(Connection c, String migration) throws SQLException {
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT format_type(s.atttypid, s.atttypmod), format_type(t.atttypid, t.atttypmod)
                FROM pg_attribute s, pg_attribute t
                WHERE s.attrelid = to_regclass(?) AND s.attname = ? AND s.attnum > 0 AND NOT s.attisdropped
                  AND t.attrelid = to_regclass(?) AND t.attname = ? AND t.attnum > 0 AND NOT t.attisdropped
                  AND (s.atttypid, s.atttypmod) IS DISTINCT FROM (t.atttypid, t.atttypmod)""")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            p.setString(3, spec.qualifiedTarget());
            p.setString(4, spec.targetValueColumn());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String value = spec.qualifiedTarget() + "." + Identifiers.quote(spec.targetValueColumn());
                return value + " is " + rs.getString(2) + " where " + spec.qualifiedSource() + "."
                        + Identifiers.quote(spec.sourceColumn()) + " is " + rs.getString(1) + ": from READ_NEW on the"
                        + " application reads the column from it and would get " + rs.getString(2) + " values (another"
                        + " type in its results, a character(n)'s padding lost) instead of the column's. Run ALTER TABLE "
                        + spec.qualifiedTarget() + " ALTER COLUMN " + Identifiers.quote(spec.targetValueColumn()) + " TYPE "
                        + rs.getString(1) + " (dualwrite expand creates it so); then move again";
            }
        }
    }

    static String oldColumnNotNull(Connection c, String migration) throws SQLException {
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        String domain;
        try (PreparedStatement p = c.prepareStatement("""
                SELECT (a.attnotnull OR t.typnotnull) AND NOT (a.atthasdef OR t.typdefault IS NOT NULL),
                       CASE WHEN t.typnotnull THEN format_type(t.oid, NULL) END
                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return null;
                }
                domain = rs.getString(2);
            }
        }
        if (domain != null) { // the domain's NOT NULL stays whatever the column says
            return spec.qualifiedSource() + "." + Identifiers.quote(spec.sourceColumn()) + " is of domain " + domain
                    + ", which is NOT NULL, and has no default: in NEW_ONLY the application's INSERTs leave it unset, so"
                    + " every one would fail. Give the column a default (ALTER TABLE " + spec.qualifiedSource()
                    + " ALTER COLUMN " + Identifiers.quote(spec.sourceColumn()) + " SET DEFAULT <a value of the domain>),"
                    + " or the domain one; then move again";
        }
        return spec.qualifiedSource() + "." + Identifiers.quote(spec.sourceColumn()) + " is NOT NULL without a default:"
                + " in NEW_ONLY the application's INSERTs leave it unset, so every one would fail. Run "
                + dropNotNull(spec) + "; then move again (the move's audit entry records that the constraint must be"
                + " restored, with SET NOT NULL, after a rollback to READ_NEW and dualwrite reverse-sync)";
    }

    /**
     * Null when every unique index and CHECK constraint on the old column has its twin on the target (or there is none)
     * and no foreign key leaves from it; else the refusal with the DDL of each missing twin, which {@code dualwrite phase
     * NEW_ONLY} runs itself before the move, and each constraint no twin can express (a foreign key's would hold for the
     * target's other rows too: the operator moves it).
     */
    static String constraintsNotKept(Connection c, String migration) throws SQLException {
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        List<String> missing = new ArrayList<>();
        List<String> impossible = new ArrayList<>();
        for (ValueIndexes.UniqueTwin t : ValueIndexes.uniqueTwins(c, spec)) {
            if (t.whyNot() != null) {
                impossible.add(t.sourceIndex() + " (" + t.whyNot() + ")");
            } else if (!t.present()) {
                missing.add(t.ddl());
            }
        }
        for (ValueChecks.CheckTwin t : ValueChecks.checkTwins(c, spec)) {
            if (t.whyNot() != null) {
                impossible.add("constraint " + t.name() + " " + t.definition() + " (" + t.whyNot() + ")");
            } else if (!t.present()) {
                missing.add(t.add() + (t.validate() == null ? "" : "; " + t.validate()));
            }
        }
        try (PreparedStatement p = c.prepareStatement("""
                SELECT k.conname, pg_get_constraintdef(k.oid, true) FROM pg_constraint k
                JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                WHERE k.conrelid = to_regclass(?) AND k.contype = 'f' AND a.attname = ? ORDER BY 1""")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    impossible.add("constraint " + rs.getString(1) + " " + rs.getString(2) + " (a foreign key: give "
                            + spec.targetTable() + " its own on " + spec.targetValueColumn() + ", which then holds for every"
                            + " row, primary or not)");
                }
            }
        }
        if (missing.isEmpty() && impossible.isEmpty()) {
            return null;
        }
        String column = spec.qualifiedSource() + "." + Identifiers.quote(spec.sourceColumn());
        StringBuilder b = new StringBuilder("from NEW_ONLY on " + column + " is not written, so its unique indexes, CHECK"
                + " constraints and foreign keys no longer refuse a value; ");
        if (!missing.isEmpty()) {
            b.append("the new table lacks their twins: run ").append(String.join("; ", missing))
                    .append(" (dualwrite phase NEW_ONLY builds them itself)");
        }
        if (!impossible.isEmpty()) {
            b.append(missing.isEmpty() ? "" : "; ").append("no twin on the new table can keep ")
                    .append(String.join("; ", impossible))
                    .append(": enforce that rule another way and drop it, or keep the old column (stay in READ_NEW)");
        }
        return b.append("; then move again").toString();
    }

    /** Null unless a rollback past the contract brought the old column back without its constraints ({@link ConstraintRestores}). */
    static String constraintsNotRestored(Connection c, String migration) throws SQLException {
        return ConstraintRestores.unrestored(c, ControlSchema.require(c, migration).spec());
    }

    /**
     * Null unless the source table has row-level security enabled with policies that differ for reading and writing
     * (the test the driver's guard applies per role, here for every role); else the refusal naming them.
     */
    static String asymmetricRowSecurity(Connection c, String migration) throws SQLException {
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        try (PreparedStatement p = c.prepareStatement("""
                SELECT string_agg(p.polname, ', ' ORDER BY p.polname) FROM pg_policy p JOIN pg_class t ON t.oid = p.polrelid
                WHERE t.oid = to_regclass(?) AND t.relrowsecurity
                  AND (p.polcmd <> '*' OR (p.polwithcheck IS NOT NULL AND (p.polqual IS NULL
                       OR pg_get_expr(p.polwithcheck, t.oid) <> pg_get_expr(p.polqual, t.oid))))""")) {
            p.setString(1, spec.qualifiedSource());
            try (ResultSet rs = p.executeQuery()) {
                String policies = rs.next() ? rs.getString(1) : null;
                return policies == null ? null : "row-level security on " + spec.qualifiedSource() + " has policies that"
                        + " differ for reading and writing (" + policies + "): from NEW_ONLY on the driver translates writes"
                        + " into forms that read back the rows they change, and refuses them where a role may write rows it"
                        + " cannot read. Replace them with one FOR ALL policy per rule (the same USING and WITH CHECK), or run"
                        + " the application as a role that bypasses row-level security; then move again";
            }
        }
    }

    /**
     * Null unless an enabled trigger on the source table, other than dualwrite's capture, uses the old column
     * ({@link ColumnUses#triggersUsing}); else the refusal naming each with its definition.
     */
    static String triggersUsingOldColumn(Connection c, String migration) throws SQLException {
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        String column = spec.sourceColumn();
        List<String> using = ColumnUses.triggersUsing(c, spec);
        if (using.isEmpty()) {
            return null;
        }
        return "the code of " + using.size() + " trigger(s) on " + spec.qualifiedSource() + " uses " + column + ": "
                + String.join("; ", using) + ". From NEW_ONLY on the driver writes the application's value to "
                + spec.qualifiedTarget() + " and leaves the old column stale, so such a trigger reads a stale value, and what"
                + " it assigns to the column is lost without an error; once the column is dropped it fails every write it"
                + " fires on. Move its logic to a trigger on " + spec.qualifiedTarget() + " (the value is "
                + spec.targetValueColumn() + " of the row where " + spec.primaryFlagColumn() + "), or drop it; then move"
                + " again. If it does not use this column after all: dualwrite phase --force moves past the gates, and"
                + " contract goes ahead while the trigger is disabled (ALTER TABLE " + spec.qualifiedSource()
                + " DISABLE TRIGGER name; ENABLE it after)";
    }

    /** Null when dualwrite's triggers that follow deletes of source rows are in place ({@link DeletedKeysTrigger}); else the refusal. */
    static String deletesNotFollowed(Connection c, String migration) throws SQLException {
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        if (DeletedKeysTrigger.installed(c, spec)) {
            return null;
        }
        return "the triggers " + DeletedKeysTrigger.deleteTriggerName(spec) + " and " + DeletedKeysTrigger.truncateTriggerName(spec)
                + " on " + spec.qualifiedSource() + " are missing or disabled: from NEW_ONLY on " + spec.qualifiedTarget()
                + " is the only copy of " + spec.sourceColumn() + ", and a row deleted where the driver does not see it (a"
                + " foreign key's ON DELETE CASCADE, a view, TRUNCATE … CASCADE) would leave its value behind for a key used"
                + " again. dualwrite phase NEW_ONLY and dualwrite contract create them (a short lock on " + spec.qualifiedSource()
                + ", retried); enable them (ALTER TABLE … ENABLE ALWAYS TRIGGER) if they were disabled";
    }

    /** Null unless an object of the database reads the old column ({@link ColumnUses#readers}); else the refusal naming each. */
    static String objectsReadingOldColumn(Connection c, String migration) throws SQLException {
        MigrationSpec spec = ControlSchema.require(c, migration).spec();
        List<String> readers = ColumnUses.readers(c, spec);
        if (readers.isEmpty()) {
            return null;
        }
        return "objects in the database read " + spec.qualifiedSource() + "." + Identifiers.quote(spec.sourceColumn()) + ": "
                + String.join("; ", readers) + ". The driver translates the application's statements, not SQL stored in"
                + " the database, and from NEW_ONLY on the old column is no longer written: a view would show stale values,"
                + " a policy or foreign key would check them, a generated column would be computed from them, a trigger"
                + " with UPDATE OF or WHEN on the column would no longer fire. Recreate each on " + spec.qualifiedTarget()
                + " (or drop it); then move again (contract refuses them too)";
    }

    /** The DDL that lets the old column stay unset. */
    static String dropNotNull(MigrationSpec spec) {
        return "ALTER TABLE " + spec.qualifiedSource() + " ALTER COLUMN " + Identifiers.quote(spec.sourceColumn()) + " DROP NOT NULL";
    }

    private static boolean evidenceTableExists(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass('dualwrite.statement_evidence') IS NOT NULL");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
