package io.dualwrite.migrator.contract;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.Queries;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The reverse-sync's mirror: an AFTER INSERT / UPDATE / DELETE row trigger on the target table that, in the
 * writer's own transaction, sets the old column of each affected key (OLD and NEW target keys) from the key's
 * primary target row. In NEW_ONLY the application writes only the target table, so a batch copy alone goes stale
 * behind concurrent writers; with the mirror in place before the first batch, every target write after it keeps
 * the old column in step by itself.
 *
 * <p>Why it is exact. The trigger first locks the source row ({@code FOR NO KEY UPDATE}), then reads the primary
 * target row in a later command; the reverse-sync batch does the same (lock its rows, then read in a later
 * command). Under READ COMMITTED each command takes a fresh snapshot, so whoever holds the row lock last sees
 * every primary-row change committed before it, and any change not yet committed is followed, in its own
 * transaction, by its own mirror, which waits for the lock and then reads again. Only changes that touch a primary
 * row (the flag true before or after) are mirrored: the others cannot change the value. A REPEATABLE READ writer
 * reads its own snapshot, but it only fires the mirror by changing the key's primary row itself, which the target's
 * row lock and unique primary index order after every other change of that row (or fail with 40001); its lock on the
 * source row fails with 40001 when a batch or another mirror updated the row after its snapshot — the application
 * retries it like any REPEATABLE READ conflict.
 *
 * <p>Its life. Reverse-sync installs it (replacing an earlier one); it acts only while the migration is in
 * NEW_ONLY or READ_NEW (an instance may still write NEW_ONLY until the whole fleet applies READ_NEW, so it must
 * outlive the move back). In any other phase its lock statement finds the phase row says otherwise and does
 * nothing (a write of a row that is not primary returns before any query): it goes dormant when the migration
 * reaches DUAL_WRITE without DDL in the phase change (dropping a trigger needs an ACCESS EXCLUSIVE lock on the
 * target, which the phase writer must never wait for). Contract drops it with the column. In READ_NEW the dual
 * write has already set the old column, so the mirror finds it equal and writes nothing.
 *
 * <p>It also acts when the phase row reads CONTRACTED, because a REPEATABLE READ writer reads the phase row in
 * its own snapshot: one taken before {@link ColumnReadd} committed (re-added column, mirror and NEW_ONLY in one
 * transaction) still says CONTRACTED, and a row it then inserts would keep a NULL old column above the last key
 * the batches copy. The mirror never exists while the committed phase is CONTRACTED (contract drops it with the
 * column), so only such writers see it together with that phase.
 */
public final class MirrorTrigger {

    private MirrorTrigger() {
    }

    /** The trigger's name on the target table (unquoted): says whose it is in {@code \d}. */
    public static String triggerName(MigrationSpec spec) {
        return "dualwrite_" + Identifiers.truncate(spec.syncView(), ControlSchema.SYNC_VIEW_MAX_BYTES) + "_mirror";
    }

    /** Whether the mirror is on the target. */
    public static boolean installed(Connection c, MigrationSpec spec) throws SQLException {
        return Queries.isTrue(c, "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?)",
                spec.qualifiedTarget(), triggerName(spec));
    }

    /** Its function, in the control schema beside the sync view's. */
    public static String functionName(MigrationSpec spec) {
        return ControlSchema.SCHEMA + "." + Identifiers.quote(Identifiers.truncate(spec.syncView(), 55) + "_mirror");
    }

    /** Creates or replaces the function and the trigger, in {@code c}'s current transaction. */
    static void install(Connection c, MigrationSpec spec) throws SQLException {
        String keyType = ControlSchema.columnType(c, spec.targetSchema(), spec.targetTable(), spec.targetKeyColumn());
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION " + functionName(spec) + "() RETURNS trigger LANGUAGE plpgsql AS $dualwrite$\n"
                    + body(spec, keyType) + "\n$dualwrite$");
            s.execute(dropSql(spec));
            String tk = Identifiers.quote(spec.targetKeyColumn());
            s.execute("CREATE TRIGGER " + Identifiers.quote(triggerName(spec)) + " AFTER INSERT OR DELETE OR UPDATE OF " + tk + ", "
                    + Identifiers.quote(spec.targetValueColumn()) + ", " + Identifiers.quote(spec.primaryFlagColumn())
                    + " ON " + spec.qualifiedTarget() + " FOR EACH ROW EXECUTE FUNCTION " + functionName(spec) + "()");
        }
    }

    /** Drops the trigger (its function stays: it is harmless and replaced by the next install). */
    public static String dropSql(MigrationSpec spec) {
        return "DROP TRIGGER IF EXISTS " + Identifiers.quote(triggerName(spec)) + " ON " + spec.qualifiedTarget();
    }

    static String body(MigrationSpec spec, String keyType) {
        String src = spec.qualifiedSource(), tgt = spec.qualifiedTarget();
        String k = Identifiers.quote(spec.keyColumn()), v = Identifiers.quote(spec.sourceColumn());
        String tk = Identifiers.quote(spec.targetKeyColumn()), tv = Identifiers.quote(spec.targetValueColumn());
        String flag = Identifiers.quote(spec.primaryFlagColumn());
        String name = spec.name().replace("'", "''");
        String primary = "(SELECT t." + tv + " FROM " + tgt + " t WHERE t." + tk + " = dw_key AND t." + flag + ")";
        return "DECLARE\n"
                + "  dw_keys " + keyType + "[];\n"
                + "  dw_key " + keyType + ";\n"
                + "BEGIN\n"
                // rows that are not primary before or after cannot change the value: no query for them
                + "  IF TG_OP = 'INSERT' THEN\n"
                + "    IF NEW." + flag + " IS NOT TRUE THEN RETURN NULL; END IF;\n"
                + "    dw_keys := ARRAY[NEW." + tk + "];\n"
                + "  ELSIF TG_OP = 'DELETE' THEN\n"
                + "    IF OLD." + flag + " IS NOT TRUE THEN RETURN NULL; END IF;\n"
                + "    dw_keys := ARRAY[OLD." + tk + "];\n"
                + "  ELSE\n"
                + "    IF OLD." + flag + " IS NOT TRUE AND NEW." + flag + " IS NOT TRUE THEN RETURN NULL; END IF;\n"
                + "    dw_keys := CASE WHEN OLD." + tk + " IS DISTINCT FROM NEW." + tk + " THEN ARRAY[OLD." + tk + ", NEW." + tk + "]"
                + " ELSE ARRAY[NEW." + tk + "] END;\n"
                + "  END IF;\n"
                + "  FOREACH dw_key IN ARRAY dw_keys LOOP\n"
                // lock first (only while the phase needs the mirror), read after: the UPDATE's snapshot is taken once
                // no other mirror or batch holds the row, and the row it updates cannot have changed since the lock
                + "    PERFORM 1 FROM " + src + " s WHERE s." + k + " = dw_key AND EXISTS (SELECT 1 FROM dualwrite.migration"
                + " WHERE name = '" + name + "' AND phase IN ('NEW_ONLY', 'READ_NEW', 'CONTRACTED')) FOR NO KEY UPDATE OF s;\n"
                + "    CONTINUE WHEN NOT FOUND;\n"
                // a REPEATABLE READ snapshot can still see a primary row a concurrent transaction deleted after it began
                // beside one this transaction inserted since (the unique index lets that insert through): the snapshot is
                // stale, so fail the way PostgreSQL fails such a writer, and the application retries
                + "    IF (SELECT count(*) FROM " + tgt + " t WHERE t." + tk + " = dw_key AND t." + flag + ") > 1 THEN\n"
                + "      RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not serialize access due to a concurrent change"
                + " of the primary row of key ' || dw_key || ' in " + tgt.replace("'", "''") + "';\n"
                + "    END IF;\n"
                + "    UPDATE " + src + " s SET " + v + " = " + primary + " WHERE s." + k + " = dw_key AND s." + v
                + " IS DISTINCT FROM " + primary + ";\n"
                + "  END LOOP;\n"
                + "  RETURN NULL;\n"
                + "END";
    }
}
