package io.dualwrite.control;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Per migration, the sync view of the phases that translate ({@code NEW_ONLY}, {@code CONTRACTED}):
 * {@code dualwrite.translated_<sync view>}, with the columns of the dual write's {@link SyncTrigger} view and an
 * INSTEAD OF INSERT trigger that applies one key's value to the target table, and nothing else.
 *
 * <p>Why it may leave out the dual write's shared advisory lock, delete counter and probe. Those exist for the
 * backfill, which copies the old column while the application writes: in these phases no backfill copies (a batch
 * reads the phase row {@code FOR SHARE} and refuses any phase that does not write the old column, so once the phase
 * row says {@code NEW_ONLY} none is in flight), and the reverse sync's mirror orders itself by the source row's
 * lock. What remains are application writers, through the driver, and every translated write first writes the key's
 * source row: UPDATE (an email-only UPDATE assigns a column to itself, {@link #rowVersionColumn}), INSERT, DELETE.
 * That write holds the row's lock until commit, so two writers of one key take turns, and it makes a new row
 * version, so under REPEATABLE READ the later writer fails with 40001 when the earlier one committed after its
 * snapshot. Under READ COMMITTED the later writer's trigger runs after it got the lock, and as a VOLATILE plpgsql
 * function each of its commands takes a fresh snapshot: the DELETE sees the primary row the earlier writer inserted
 * and committed while this statement waited (a data-modifying CTE's DELETE, on the statement's older snapshot,
 * would miss it), and the upsert sees it anyway. Under REPEATABLE READ the trigger reads the transaction's
 * snapshot, which the 40001 above guarantees holds every earlier writer of the key.
 */
public final class TranslatedSync {

    private TranslatedSync() {
    }

    /**
     * Creates or replaces the view, its function and trigger; idempotent. The column types come from the dual
     * write's sync view, which every registered migration has and which keeps the old column's type (with its
     * modifiers, so that a too long value fails with 22001 as the column did) after the column is dropped.
     */
    static void install(Connection c, MigrationSpec spec) throws SQLException {
        String view = spec.qualifiedTranslatedSyncView();
        String function = ControlSchema.SCHEMA + "." + Identifiers.quote(spec.translatedSyncView() + "_apply");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE VIEW " + view + " AS SELECT NULL::" + syncViewType(c, spec, "k") + " AS k, NULL::"
                    + syncViewType(c, spec, "v") + " AS v, false AS deleted WHERE false");
            s.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $dualwrite$\n"
                    + functionBody(spec) + "\n$dualwrite$");
            s.execute("DROP TRIGGER IF EXISTS apply ON " + view);
            // on origin only, as the dual write's (SyncTrigger#install): a view's trigger cannot fire ALWAYS
            s.execute("CREATE TRIGGER apply INSTEAD OF INSERT ON " + view + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
            for (String grantee : insertGrantees(c, spec)) {
                s.execute("GRANT INSERT ON " + view + " TO " + grantee);
            }
        }
    }

    /**
     * The roles that may insert into the dual write's sync view ({@code dualwrite grant}): they get the same on this
     * one, so that an upgrade of the control schema, which creates it, does not take writes away from them.
     */
    private static List<String> insertGrantees(Connection c, MigrationSpec spec) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
                + " ELSE quote_ident(pg_get_userbyid(a.grantee)) END FROM pg_class r, aclexplode(r.relacl) a"
                + " WHERE r.oid = to_regclass(?) AND a.privilege_type = 'INSERT' AND a.grantee <> r.relowner")) {
            p.setString(1, spec.qualifiedSyncView());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Upsert a value; delete the primary row for NULL or a deleted source row (why that is exact: the class comment).
     * A row with {@code deleted} NULL only checks a value: one an INSERT … ON CONFLICT proposed and did not store,
     * which PostgreSQL cast and CHECK-tested all the same (the view's column has cast it). Its tests are the target's
     * CHECK constraints on the value column alone (the old column's twins, {@link ValueChecks}), each on the value as
     * a primary row's; the error is the one the old column's constraint raised. It stores and counts nothing.
     * A NULL for a column that was {@code NOT NULL} (with a default: NEW_ONLY's gate asks for that, as recorded in
     * {@code dualwrite.source_column}, {@link ControlTables#RECORDED_NOT_NULL}) fails as its constraint did (23502), where
     * it would otherwise delete the primary row.
     */
    static String functionBody(MigrationSpec spec) {
        String target = spec.qualifiedTarget();
        String fk = Identifiers.quote(spec.targetKeyColumn());
        String value = Identifiers.quote(spec.targetValueColumn());
        String flag = Identifiers.quote(spec.primaryFlagColumn());
        String valueName = Identifiers.literal(spec.targetValueColumn());
        return "DECLARE\n"
                + "  c record;\n"
                + "  ok boolean;\n"
                + "BEGIN\n"
                + "  IF NEW.v IS NULL AND NEW.deleted IS NOT TRUE AND " + ControlTables.RECORDED_NOT_NULL + "("
                + Identifiers.literal(spec.name()) + ", " + Identifiers.literal(spec.sourceColumn()) + ") THEN\n"
                + "    RAISE EXCEPTION 'null value in column \"%\" of relation \"%\" violates not-null constraint', "
                + Identifiers.literal(spec.sourceColumn()) + ", " + Identifiers.literal(spec.sourceTable()) + "\n"
                + "      USING ERRCODE = 'not_null_violation', COLUMN = " + Identifiers.literal(spec.sourceColumn())
                + ", TABLE = " + Identifiers.literal(spec.sourceTable()) + ", SCHEMA = " + Identifiers.literal(spec.sourceSchema())
                + ";\n"
                + "  END IF;\n"
                + "  IF NEW.deleted IS NULL THEN\n"
                + "    FOR c IN SELECT k.conname, pg_get_expr(k.conbin, k.conrelid) AS e FROM pg_constraint k\n"
                + "        WHERE NEW.v IS NOT NULL AND k.conrelid = " + Identifiers.literal(target) + "::regclass AND k.contype = 'c'\n"
                + "          AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)"
                + " AND a.attname = " + valueName + ")\n"
                + "          AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)"
                + " AND a.attname NOT IN (" + valueName + ", " + Identifiers.literal(spec.primaryFlagColumn()) + "))\n"
                + "        ORDER BY k.conname LOOP\n"
                + "      EXECUTE format('SELECT %s FROM (SELECT $1 AS %I, true AS %I) s', c.e, " + valueName + ", "
                + Identifiers.literal(spec.primaryFlagColumn()) + ") INTO ok USING NEW.v;\n"
                + "      IF NOT ok THEN\n"
                + "        RAISE EXCEPTION 'new row for relation \"%\" violates check constraint \"%\"', "
                + Identifiers.literal(spec.sourceTable()) + ", c.conname\n"
                + "          USING ERRCODE = 'check_violation', CONSTRAINT = c.conname, TABLE = " + Identifiers.literal(spec.sourceTable())
                + ", SCHEMA = " + Identifiers.literal(spec.sourceSchema()) + ";\n"
                + "      END IF;\n"
                + "    END LOOP;\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n"
                + "  IF NEW.v IS NOT NULL AND NOT NEW.deleted THEN\n"
                + "    INSERT INTO " + target + " (" + fk + ", " + value + ", " + flag + ") VALUES (NEW.k, NEW.v, true)"
                + " ON CONFLICT (" + fk + ") WHERE " + flag + " DO UPDATE SET " + value + " = EXCLUDED." + value + ";\n"
                + "  ELSE\n"
                + "    DELETE FROM " + target + " WHERE " + fk + " = NEW.k AND " + flag + ";\n"
                + "  END IF;\n"
                + "  RETURN NEW;\n"
                + "END";
    }

    /**
     * Whether the target's value column has the type, with modifiers, of the old column (which the sync view's
     * {@code v} keeps): then a non-NULL value upserted into the target directly is checked and stored as this view's
     * function stores it, and the driver may send translated writes of non-NULL values that way
     * ({@code Rewrite.IfNotNull}). {@code expand} creates the target so; a target created by hand may differ.
     */
    public static boolean targetHasColumnType(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "SELECT EXISTS (SELECT 1 FROM pg_attribute v, pg_attribute t WHERE v.attrelid = to_regclass(?)"
                + " AND v.attname = 'v' AND t.attrelid = to_regclass(?) AND t.attname = ? AND NOT t.attisdropped"
                + " AND v.atttypid = t.atttypid AND v.atttypmod = t.atttypmod)",
                spec.qualifiedSyncView(), spec.qualifiedTarget(), spec.targetValueColumn());
    }

    /**
     * Whether what a write stores in the source's old column may differ from the value the write gives it: BEFORE
     * row triggers on INSERT or UPDATE (not internal ones), or rules, on the source or any partition or child of it.
     * Then a dual write syncs the stored value through the sync view's function, never the direct upsert, which
     * needs a value it knows to be non-NULL.
     */
    public static boolean storedMayDiffer(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "WITH RECURSIVE rel(oid) AS (SELECT to_regclass(?)::oid UNION SELECT i.inhrelid FROM"
                + " pg_inherits i JOIN rel ON i.inhparent = rel.oid)"
                + " SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM rel) AND NOT tgisinternal"
                + " AND tgtype & 3 = 3 AND tgtype & 20 <> 0)"   // ROW (1) and BEFORE (2); INSERT (4) or UPDATE (16)
                + " OR EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM rel))",
                spec.qualifiedSource());
    }

    /**
     * The column a translated write that assigned only the old column assigns to itself ({@code SourceTable#rowVersionColumn}):
     * the key, else the first column (attnum order) other than the old one, that can be assigned (not generated, not an
     * identity column {@code GENERATED ALWAYS}) and that no enabled {@code UPDATE OF} trigger on the source names; null
     * when there is none.
     */
    public static String rowVersionColumn(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> ?
                  AND a.attidentity <> 'a' AND a.attgenerated = ''
                  AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = a.attrelid AND NOT t.tgisinternal
                                  AND t.tgenabled <> 'D' AND a.attnum = ANY (t.tgattr::int2[]))
                ORDER BY a.attname <> ?, a.attnum LIMIT 1""")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.sourceColumn());
            p.setString(3, spec.keyColumn());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The source's generated columns ({@code SourceTable#generatedColumns}). */
    public static Set<String> generatedColumns(Connection c, MigrationSpec spec) throws SQLException {
        return Set.copyOf(Queries.strings(c, "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0"
                + " AND NOT attisdropped AND attgenerated <> ''", spec.qualifiedSource()));
    }

    /** Whether the dual write's sync view of {@code spec} exists (this view takes its column types from it). */
    static boolean hasSyncView(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "SELECT to_regclass(?) IS NOT NULL", spec.qualifiedSyncView());
    }

    private static String syncViewType(Connection c, MigrationSpec spec, String column) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                + " WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped")) {
            p.setString(1, spec.qualifiedSyncView());
            p.setString(2, column);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the sync view " + spec.qualifiedSyncView() + " of migration " + spec.name()
                            + " is missing; register the migration again (dualwrite expand) to recreate it", "42P01");
                }
                return rs.getString(1);
            }
        }
    }
}
