package io.dualwrite.control;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Every table of the {@code dualwrite} control schema, and its version. {@link #install} creates the
 * schema or upgrades an older one step by step to {@link #VERSION}; every step is idempotent DDL. A
 * schema newer than this code knows is refused, never used: its tables may mean something else.
 *
 * <p>Versions: 1 is the layout before versions were recorded ({@code migration}, {@code phase_change},
 * {@code backfill_checkpoint}, {@code instance}; the migrator created its own tables beside them);
 * 2 records the version and owns the migrator's tables ({@code backfill_range}: one checkpoint per
 * parallel page range; {@code backfill_control}: live pause, resume and batch size;
 * {@code parity_chunk}: per-chunk parity results, so {@code --resume} skips checked chunks);
 * 3 adds what the contract needs: {@code statement_evidence} (each distinct statement an instance sent that
 * names a migrated column, and whether the phases without the old column can translate it),
 * {@code source_column} (the source table's columns as they were before the contract, so the driver can
 * keep {@code SELECT *} and positional INSERTs as they were), {@code reverse_sync} (its checkpoint) and
 * the function {@value #RLS_GUARD} that rewritten writes call;
 * 4 adds {@value #ROLLBACK_READS}, the one phase change the application's role may make (see {@link ControlGrants});
 * 5 names the relation each {@code backfill_range} scans ({@code source_relation}: a leaf partition of a
 * partitioned source, whose pages are planned leaf by leaf);
 * 6 adds each migration's translated phases' sync view ({@link TranslatedSync}), which NEW_ONLY and CONTRACTED
 * writes insert into; 7 names, in {@value #RLS_GUARD}'s hint, the fix that keeps such writes: expand again, which
 * installs the {@link CaptureTrigger}; 8 adds {@value #REPLICA_GUARD}, which rewritten writes call, and makes the
 * {@link DeletedKeysTrigger}s already on source tables fire whatever {@code session_replication_role} is; 9 adds
 * {@value #KEY_GUARD}, which rewritten writes that assign the key call; 10 makes the translated phases' sync view refuse a
 * NULL for a column that was {@code NOT NULL}, as the column did; 11 makes the {@link OldColumnWriteTrigger}s take a
 * domain's default for the column's (a row the driver inserts gets it, and must not overwrite the value given).
 *
 * <p>Installing or upgrading is DDL: it needs the role that owns the schema (the operator, who ran
 * {@code dualwrite expand}). The driver calls {@link #upgradeOlder}, which reads the version only and changes nothing
 * when the schema is current, so an application role connecting to a current schema never tries DDL.
 */
public final class ControlTables {

    /** The control schema version this code reads and writes. */
    public static final int VERSION = 11;

    /**
     * Refuses (SQLState 0A000) a rewritten write on a table whose row-level security the session is subject to,
     * unless its policies make the rewrite exact. A rewritten write reads back the rows it changes (its
     * RETURNING feeds the sync), and PostgreSQL then applies the table's SELECT policies to them as well: rows
     * the role may change but not see would be skipped (UPDATE, DELETE) or fail the statement (INSERT). When
     * every policy that applies to the role is {@code FOR ALL} with one expression for USING and WITH CHECK,
     * the rows a role may see are exactly those it may write, and the rewrite changes the same rows.
     */
    public static final String RLS_GUARD = "dualwrite.refuse_asymmetric_rls";

    /**
     * {@code dualwrite.rollback_reads(migration, changed_by, reason)}: READ_NEW -> DUAL_WRITE with its audit entry and
     * NOTIFY, nothing else; false when the migration is not in READ_NEW. {@code SECURITY DEFINER}, owned by the schema's
     * owner and executable only by the roles {@code dualwrite grant} names, so the driver's automatic read rollback works
     * for an application role that may not update {@code dualwrite.migration}. The move has no gates (reads go back to
     * the old column, which every write still keeps), so an application may make it on its own; the audit entry
     * records the session's role beside the caller's {@code changed_by}.
     */
    public static final String ROLLBACK_READS = "dualwrite.rollback_reads";

    /**
     * Refuses (SQLState 0A000) a rewritten write in a session whose {@code session_replication_role} is {@code replica}
     * (the rewritten statement calls it only then): PostgreSQL fires no trigger left at its default there, and the sync
     * views' INSTEAD OF triggers are such triggers for good (PostgreSQL refuses {@code ENABLE ALWAYS} on a view's
     * trigger), so the write would count its rows and leave the target behind.
     */
    public static final String REPLICA_GUARD = "dualwrite.refuse_replica_role";

    /**
     * {@code dualwrite.kept_key(old_key, new_key, tbl, key_column)}: {@code new_key} when it equals {@code old_key}, else
     * refuses (SQLState 0A000) the statement it runs in. The rewriter wraps the value an UPDATE or a DO UPDATE assigns to
     * the key of a migrated table in it ({@code KeptKey}), in the phases where the new table follows rows by that key:
     * a write that gives a row another key would leave its new-table rows under the old one. {@code anycompatible}: the
     * value keeps its own type and compares with the key as PostgreSQL compares the two.
     */
    public static final String KEY_GUARD = "dualwrite.kept_key";

    /**
     * {@code dualwrite.recorded_not_null(migration, column_name)}: whether the column was {@code NOT NULL} when the source
     * table's columns were last recorded ({@code source_column}). The translated phases' sync function asks it for a NULL
     * value ({@link TranslatedSync}), as whatever role writes; {@code SECURITY DEFINER}, so that a role without SELECT on
     * the control tables may write (it learns one boolean about a column of a table it writes).
     */
    public static final String RECORDED_NOT_NULL = "dualwrite.recorded_not_null";

    /** Serialises concurrent installs and registrations across processes. */
    static final long INSTALL_LOCK = 0x6475_616c_7772_6974L; // "dualwrit"

    private ControlTables() {
    }

    /** Creates the control schema, or upgrades it to {@link #VERSION}; refuses a newer one; leaves a current one alone. */
    public static void install(Connection c) throws SQLException {
        Transactions.inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + INSTALL_LOCK + ")");
                int found = installedVersion(c);
                if (found > VERSION) {
                    throw tooNew(found);
                }
                if (found == VERSION) {
                    return null; // no DDL at all: a role without CREATE (the operator, the application) may call this
                }
                s.execute("CREATE SCHEMA IF NOT EXISTS dualwrite");
                if (found < 1) {
                    version1(s);
                }
                if (found < 2) {
                    version2(s);
                }
                if (found < 3) {
                    version3(s);
                }
                if (found < 4) {
                    version4(s);
                }
                if (found < 5) {
                    version5(s);
                }
                if (found < 7) {
                    version7(s);
                }
                if (found < 8) {
                    version8(s);
                }
                if (found < 9) {
                    version9(s);
                }
                if (found < 10) {
                    s.execute("CREATE OR REPLACE FUNCTION " + RECORDED_NOT_NULL + "(p_migration text, p_column text)"
                            + " RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS"
                            + " $dualwrite$ SELECT coalesce(bool_or(s.not_null), false) FROM dualwrite.source_column s"
                            + " WHERE s.migration = p_migration AND s.name = p_column $dualwrite$");
                    translatedSyncViews(s);   // version 6 added them, 10 changed their function
                }
                if (found < 11) {
                    oldColumnWriteFunctions(s); // 11: a domain's default is a default too
                }
                if (found < VERSION) {
                    s.execute("UPDATE dualwrite.schema_version SET version = " + VERSION + ", upgraded_at = now()");
                }
            }
            return null;
        });
    }

    /**
     * The version of the schema {@code c} points at: 0 when there is none, 1 for a schema from before
     * versions were recorded.
     */
    public static int installedVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('dualwrite.migration') IS NOT NULL,"
                     + " to_regclass('dualwrite.schema_version') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(2)) {
                return rs.getBoolean(1) ? 1 : 0;
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(version) FROM dualwrite.schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * For the driver: brings a schema older than {@link #VERSION} up to date before following it, because the
     * statements it rewrites call what the current version installs. A role that may not change the control schema
     * gets an error that says how to upgrade it; an absent or current schema is left alone.
     *
     * @return whether the schema is now at {@link #VERSION} or newer (false: there is none yet)
     */
    public static boolean upgradeOlder(Connection c) throws SQLException {
        int found = installedVersion(c);
        if (found < 1 || found >= VERSION) {
            return found >= VERSION;
        }
        try {
            install(c);
        } catch (SQLException e) {
            throw new SQLException("the dualwrite control schema is at version " + found + " and this driver needs version "
                    + VERSION + ", but upgrading it failed (" + e.getMessage() + "). Run any dualwrite migrator command"
                    + " (e.g. dualwrite expand, which is idempotent) with a role that owns the dualwrite schema, then"
                    + " reconnect", "55000", e);
        }
        return true;
    }

    /** Fails unless this code knows the installed schema's version (an older one reads the same). */
    public static void requireKnownVersion(Connection c) throws SQLException {
        int found = installedVersion(c);
        if (found > VERSION) {
            throw tooNew(found);
        }
    }

    private static SQLException tooNew(int found) {
        return new SQLException("the dualwrite control schema is at version " + found + ", newer than this dualwrite knows ("
                + VERSION + "): a newer migrator upgraded it. Upgrade the dualwrite driver and migrator to the same or a newer"
                + " release; until then this one neither rewrites statements nor changes the schema", "55000");
    }

    private static void version1(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.migration (
                  name                text PRIMARY KEY,
                  source_schema       text NOT NULL,
                  source_table        text NOT NULL,
                  key_column          text NOT NULL,
                  source_column       text NOT NULL,
                  target_schema       text NOT NULL,
                  target_table        text NOT NULL,
                  target_key_column   text NOT NULL,
                  target_value_column text NOT NULL,
                  primary_flag_column text NOT NULL,
                  sync_view           text NOT NULL,
                  phase               text NOT NULL CHECK (phase IN
                                        ('EXPANDED','DUAL_WRITE','READ_NEW','NEW_ONLY','CONTRACTED')),
                  phase_changed_at    timestamptz NOT NULL DEFAULT now(),
                  created_at          timestamptz NOT NULL DEFAULT now()
                )""");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.phase_change (
                  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                  migration  text NOT NULL REFERENCES dualwrite.migration(name),
                  from_phase text,
                  to_phase   text NOT NULL,
                  changed_by text NOT NULL,
                  reason     text,
                  changed_at timestamptz NOT NULL DEFAULT now()
                )""");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.backfill_checkpoint (
                  migration    text PRIMARY KEY REFERENCES dualwrite.migration(name),
                  rows_copied  bigint NOT NULL DEFAULT 0,
                  batches      bigint NOT NULL DEFAULT 0,
                  total_rows   bigint,
                  started_at   timestamptz NOT NULL DEFAULT now(),
                  updated_at   timestamptz NOT NULL DEFAULT now(),
                  completed_at timestamptz
                )""");
        // columns added after the first release: ADD COLUMN IF NOT EXISTS upgrades older schemas in place
        s.execute("""
                ALTER TABLE dualwrite.migration
                  ADD COLUMN IF NOT EXISTS shadow_sample_rate double precision NOT NULL DEFAULT 0
                    CHECK (shadow_sample_rate BETWEEN 0 AND 1),
                  ADD COLUMN IF NOT EXISTS last_parity_mismatches bigint,
                  ADD COLUMN IF NOT EXISTS last_parity_at timestamptz""");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.instance (
                  id           text PRIMARY KEY,
                  host         text NOT NULL,
                  pid          bigint NOT NULL,
                  started_at   timestamptz NOT NULL,
                  heartbeat_at timestamptz NOT NULL DEFAULT now(),
                  applied      jsonb NOT NULL DEFAULT '{}'
                )""");
    }

    private static void version2(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.schema_version (
                  version     int NOT NULL,
                  upgraded_at timestamptz NOT NULL DEFAULT now()
                )""");
        s.execute("INSERT INTO dualwrite.schema_version (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM dualwrite.schema_version)");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.backfill_range (
                  migration    text NOT NULL REFERENCES dualwrite.migration(name),
                  range_no     int NOT NULL,
                  lo_page      bigint NOT NULL,
                  hi_page      bigint NOT NULL,
                  next_page    bigint NOT NULL,
                  source_filenode bigint NOT NULL,
                  start_xmin   text,
                  rows_scanned bigint NOT NULL DEFAULT 0,
                  rows_copied  bigint NOT NULL DEFAULT 0,
                  batches      bigint NOT NULL DEFAULT 0,
                  updated_at   timestamptz NOT NULL DEFAULT now(),
                  completed_at timestamptz,
                  PRIMARY KEY (migration, range_no)
                )""");
        // key ranges of versions before page ranges: their rows are never loaded again (no file node)
        s.execute("ALTER TABLE dualwrite.backfill_range ADD COLUMN IF NOT EXISTS lo_page bigint,"
                + " ADD COLUMN IF NOT EXISTS hi_page bigint, ADD COLUMN IF NOT EXISTS next_page bigint,"
                + " ADD COLUMN IF NOT EXISTS source_filenode bigint, ADD COLUMN IF NOT EXISTS start_xmin text");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.backfill_control (
                  migration  text PRIMARY KEY REFERENCES dualwrite.migration(name),
                  paused     boolean NOT NULL DEFAULT false,
                  batch_size int CHECK (batch_size IS NULL OR batch_size > 0),
                  updated_by text,
                  updated_at timestamptz NOT NULL DEFAULT now()
                )""");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.parity_chunk (
                  migration  text NOT NULL REFERENCES dualwrite.migration(name),
                  run_id     bigint NOT NULL,
                  chunk_no   int NOT NULL,
                  lo_key     text,
                  hi_key     text,
                  source_rows bigint,
                  mismatches bigint,
                  offending  text[],
                  checked_at timestamptz NOT NULL DEFAULT now(),
                  PRIMARY KEY (migration, run_id, chunk_no)
                )""");
    }

    private static void version3(Statement s) throws SQLException {
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.statement_evidence (
                  migration    text NOT NULL REFERENCES dualwrite.migration(name),
                  fingerprint  text NOT NULL,
                  instance     text NOT NULL,
                  sample       text NOT NULL,
                  executions   bigint NOT NULL DEFAULT 0,
                  first_seen   timestamptz NOT NULL DEFAULT now(),
                  last_seen    timestamptz NOT NULL DEFAULT now(),
                  translatable boolean NOT NULL,
                  refusal      text,
                  PRIMARY KEY (migration, fingerprint, instance)
                )""");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.source_column (
                  migration   text NOT NULL REFERENCES dualwrite.migration(name),
                  position    int NOT NULL,
                  name        text NOT NULL,
                  type        text NOT NULL,
                  collation_name text,
                  not_null    boolean NOT NULL,
                  default_sql text,
                  recorded_at timestamptz NOT NULL DEFAULT now(),
                  PRIMARY KEY (migration, position)
                )""");
        s.execute("""
                CREATE TABLE IF NOT EXISTS dualwrite.reverse_sync (
                  migration    text PRIMARY KEY REFERENCES dualwrite.migration(name),
                  last_key     text,
                  batches      bigint NOT NULL DEFAULT 0,
                  rows_updated bigint NOT NULL DEFAULT 0,
                  column_readded boolean NOT NULL DEFAULT false,
                  started_at   timestamptz NOT NULL DEFAULT now(),
                  updated_at   timestamptz NOT NULL DEFAULT now(),
                  completed_at timestamptz
                )""");
        rlsGuard(s);
    }

    private static void version4(Statement s) throws SQLException {
        s.execute("CREATE OR REPLACE FUNCTION " + ROLLBACK_READS + "(p_migration text, p_changed_by text, p_reason text)"
                + " RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
                + " AS $dualwrite$\n" + """
                DECLARE
                  current_phase text;
                BEGIN
                  SELECT phase INTO current_phase FROM dualwrite.migration WHERE name = p_migration FOR UPDATE;
                  IF NOT FOUND THEN
                    RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = format('no migration named %L', p_migration);
                  END IF;
                  IF current_phase <> 'READ_NEW' THEN
                    RETURN false;
                  END IF;
                  UPDATE dualwrite.migration SET phase = 'DUAL_WRITE', phase_changed_at = now() WHERE name = p_migration;
                  INSERT INTO dualwrite.phase_change (migration, from_phase, to_phase, changed_by, reason)
                  VALUES (p_migration, 'READ_NEW', 'DUAL_WRITE', p_changed_by || ' (role ' || session_user || ')', p_reason);
                  PERFORM pg_notify('dualwrite_control', p_migration);
                  RETURN true;
                END
                $dualwrite$""");
        // functions are executable by PUBLIC unless revoked: only the roles dualwrite grant names may call this one
        s.execute("REVOKE ALL ON FUNCTION " + ROLLBACK_READS + "(text, text, text) FROM PUBLIC");
    }

    private static void version5(Statement s) throws SQLException {
        // NULL in ranges planned before version 5: they scan the source table itself
        s.execute("ALTER TABLE dualwrite.backfill_range ADD COLUMN IF NOT EXISTS source_relation text");
    }

    /** The guard {@value #RLS_GUARD}; version 7 gave its hint the capture trigger ({@link CaptureTrigger}). */
    private static void rlsGuard(Statement s) throws SQLException {
        s.execute("CREATE OR REPLACE FUNCTION " + RLS_GUARD + "(tbl regclass) RETURNS boolean"
                + " LANGUAGE plpgsql STABLE AS $dualwrite$\n" + """
                DECLARE
                  offending text;
                BEGIN
                  SELECT string_agg(p.polname, ', ') INTO offending
                  FROM pg_catalog.pg_policy p
                  WHERE p.polrelid = tbl
                    AND (p.polroles = '{0}' OR EXISTS (SELECT 1 FROM unnest(p.polroles) r
                                                       WHERE pg_catalog.pg_has_role(current_user, r, 'MEMBER')))
                    AND (p.polcmd <> '*' OR (p.polwithcheck IS NOT NULL AND (p.polqual IS NULL
                         OR pg_catalog.pg_get_expr(p.polwithcheck, tbl) <> pg_catalog.pg_get_expr(p.polqual, tbl))));
                  IF offending IS NULL THEN
                    RETURN true;
                  END IF;
                  RAISE EXCEPTION USING ERRCODE = '0A000',
                    MESSAGE = format('dualwrite refuses this write to %s: row-level security applies to role %s through'
                      ' policies that are not the same for reading and writing (%s), and the dual write reads back the'
                      ' rows it changes, so it could change other rows than the statement would. Nothing was changed.',
                      tbl, current_user, offending),
                    HINT = 'In DUAL_WRITE and READ_NEW, run dualwrite expand again: with row-level security on the table'
                      ' it installs a trigger that syncs the writes, and the driver passes them through. In any phase: give'
                      ' the role one FOR ALL policy per rule (same USING and WITH CHECK), or run the application as a role'
                      ' that bypasses row-level security.';
                END
                $dualwrite$""");
    }

    /** Installs or replaces each migration's translated sync view: added at version 6, its function changed at 10. */
    private static void translatedSyncViews(Statement s) throws SQLException {
        // beside each registered migration's dual-write sync view (a migration of a schema older than the sync views gets
        // both when it is registered again)
        for (MigrationState m : ControlSchema.load(s.getConnection())) {
            if (TranslatedSync.hasSyncView(s.getConnection(), m.spec())) {
                TranslatedSync.install(s.getConnection(), m.spec());
            }
        }
    }

    private static void oldColumnWriteFunctions(Statement s) throws SQLException {
        for (MigrationState m : ControlSchema.load(s.getConnection())) {
            if (Queries.isTrue(s.getConnection(), "SELECT to_regprocedure(?) IS NOT NULL",
                    DeletedKeysTrigger.installerName(m.spec()))) {
                DeletedKeysTrigger.installFunctions(s.getConnection(), m.spec());
            }
        }
    }

    private static void version7(Statement s) throws SQLException {
        rlsGuard(s);
    }

    private static void version8(Statement s) throws SQLException {
        s.execute("CREATE OR REPLACE FUNCTION " + REPLICA_GUARD + "(tbl regclass) RETURNS boolean"
                + " LANGUAGE plpgsql STABLE AS $dualwrite$\n" + """
                BEGIN
                  RAISE EXCEPTION USING ERRCODE = '0A000',
                    MESSAGE = format('dualwrite refuses this write to %s: session_replication_role is replica, under which'
                      ' PostgreSQL fires no trigger of dualwrite''s sync views, so the new table would not follow the'
                      ' write. Nothing was changed.', tbl),
                    HINT = 'SET session_replication_role = origin (or DEFAULT) for writes through the dualwrite driver. A load'
                      ' that needs replica runs without the driver; while the old column is written, dualwrite parity'
                      ' --repair then brings the new table in line.';
                END
                $dualwrite$""");
        // the delete triggers of migrations already in NEW_ONLY or later, created firing on origin only
        for (MigrationState m : ControlSchema.load(s.getConnection())) {
            DeletedKeysTrigger.enableAlways(s.getConnection(), m.spec());
        }
    }

    private static void version9(Statement s) throws SQLException {
        s.execute("CREATE OR REPLACE FUNCTION " + KEY_GUARD + "(old_key anycompatible, new_key anycompatible, tbl regclass,"
                + " key_column text) RETURNS anycompatible LANGUAGE plpgsql IMMUTABLE AS $dualwrite$\n" + """
                BEGIN
                  IF new_key IS NOT DISTINCT FROM old_key THEN
                    RETURN new_key;
                  END IF;
                  RAISE EXCEPTION USING ERRCODE = '0A000',
                    MESSAGE = format('dualwrite refuses this write to %s: it changes the key %I of a row from %s to %s,'
                      ' and the new table of the migration follows rows by that key, so the row''s values there would be'
                      ' left under the old key. Nothing was changed.', tbl, key_column, old_key, coalesce(new_key::text, 'NULL')),
                    HINT = format('Assign %I the value the row has (or leave it out of SET). To give a row another key,'
                      ' INSERT the row under the new key and DELETE the old one: the driver keeps the new table in step'
                      ' with both.', key_column);
                END
                $dualwrite$""");
    }
}
