package io.dualwrite.control;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The migrator's own tables in the {@code dualwrite} schema, created idempotently next to the driver's
 * control schema (which owns {@code migration}, {@code phase_change}, {@code backfill_checkpoint}, {@code instance}):
 * <ul>
 *   <li>{@code backfill_range}: one checkpoint row per parallel page range of a backfill (its next page);</li>
 *   <li>{@code backfill_control}: live pause / resume / batch size of a running backfill;</li>
 *   <li>{@code parity_chunk}: per-chunk results of a chunked parity run, so {@code --resume} skips checked chunks.</li>
 * </ul>
 */
public final class BackfillTables {

    private static final long DDL_LOCK = 0x6477_6d69_6772_6174L; // "dwmigrat"

    private BackfillTables() {
    }

    public static void ensure(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        if (!auto) {
            c.commit();
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
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
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
