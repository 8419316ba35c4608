package io.dualwrite.migrator.backfill;

import io.dualwrite.migrator.db.MigrationNames;

/** The statements of one migration's backfill, built once per run from its quoted names. */
final class BackfillSql {

    /**
     * Parameters: the relation a batch scans (regclass text; NULL for none), the migration. Returns phase, the
     * relation's file node, delete counter.
     */
    final String before;
    /** Whether no delete of the sync trigger is in flight: takes the sync lock exclusively and releases it at once. */
    final String barrier;
    /** The delete counter now ({@code ''} when batches lock instead). */
    final String counter;
    /** The batch's COPY text back into the target, NULL values left out. */
    final String copyIn;
    /** The redo of a batch that met a dual write (parameters: keys, values as text arrays). */
    final String insert;
    /**
     * Deletes or corrects this transaction's own copies of the given keys (parameter: keys as a text array) from a fresh
     * look at the source; returns rows deleted, rows corrected.
     */
    final String recheck;
    /** Advances the range row, and with a single range the totals too (parameters: see {@link BatchCopy}). */
    final String checkpoint;
    private final String copyOutPrefix;
    private final MigrationNames n;

    BackfillSql(MigrationNames n, SourceTable t) {
        this.n = n;
        String src = n.source(), tgt = n.target(), k = n.key(), v = n.value();
        String tk = n.targetKey(), tv = n.targetValue(), flag = n.primaryFlag();
        String counterValue = t.locked() ? "''" : "(SELECT last_value || ':' || is_called FROM " + n.deleteCounter() + ")";
        long lockKey = t.syncLockKey();
        // FOR SHARE until the batch commits: a phase change waits for it, so once the phase row says NEW_ONLY no batch
        // is copying, which the translated phases' sync relies on (control's TranslatedSync)
        this.before = "SELECT phase, pg_relation_filenode(to_regclass(?))::bigint, " + counterValue
                + " FROM dualwrite.migration WHERE name = ? FOR SHARE";
        this.barrier = "SELECT CASE WHEN pg_try_advisory_lock(" + lockKey + ") THEN pg_advisory_unlock(" + lockKey + ")"
                + " ELSE false END";
        this.counter = "SELECT " + counterValue;
        this.copyOutPrefix = "COPY (SELECT " + k + ", " + v + ", true FROM ";
        this.copyIn = "COPY " + tgt + " (" + tk + ", " + tv + ", " + flag + ") FROM STDIN WHERE " + tv + " IS NOT NULL";
        this.insert = "INSERT INTO " + tgt + " (" + tk + ", " + tv + ", " + flag + ") SELECT r.k::" + t.keyType() + ", r.v::"
                + t.valueType() + ", true FROM unnest(?::text[], ?::text[]) AS r(k, v) ON CONFLICT (" + tk + ") WHERE " + flag
                + " DO NOTHING";
        // only the rows this transaction inserted: a dual write cannot change them before it commits
        this.recheck = "WITH b AS (SELECT unnest(?::text[])::" + t.keyType() + " AS k),\n"
                + " c AS (SELECT e.ctid AS tid, e." + tv + " AS ev, u." + v + " AS uv FROM b JOIN " + tgt + " e ON e." + tk
                + " = b.k AND e." + flag + " LEFT JOIN " + src + " u ON u." + k + " = b.k"
                + " WHERE e.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text),\n"
                + " d AS (DELETE FROM " + tgt + " e USING c WHERE e.ctid = c.tid AND c.uv IS NULL RETURNING 1),\n"
                + " u AS (UPDATE " + tgt + " e SET " + tv + " = c.uv FROM c WHERE e.ctid = c.tid AND c.uv IS NOT NULL"
                + " AND c.ev IS DISTINCT FROM c.uv RETURNING 1)\n"
                + "SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM u)";
        this.checkpoint = "WITH r AS (UPDATE dualwrite.backfill_range SET next_page = ?, rows_scanned = rows_scanned + ?,"
                + " rows_copied = rows_copied + ?, batches = batches + 1, updated_at = now(),"
                + " completed_at = CASE WHEN ? THEN now() END WHERE migration = ? AND range_no = ? RETURNING 1),\n"
                + " a AS (UPDATE dualwrite.backfill_checkpoint SET rows_copied = rows_copied + ?,"
                + " batches = batches + 1, updated_at = now() WHERE migration = ? AND ? RETURNING 1)\n"
                + "SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM a)";
    }

    /**
     * The batch's rows of {@code leaf} (the source table or one of its leaf partitions, quoted), key and value (NULL
     * too: the caller counts them), in COPY text format.
     */
    String copyOut(String leaf, long fromPage, long toPage) {
        return copyOutPrefix + leaf + " WHERE ctid >= '(" + fromPage + ",0)' AND ctid < '(" + toPage + ",0)') TO STDOUT";
    }

    /** Locks a page range's rows of {@code leaf} (parameters: from, to as tid text); only when {@link SourceTable#locked()}. */
    String lock(String leaf) {
        return "SELECT count(*) FROM (SELECT FROM " + leaf + " WHERE ctid >= ?::tid AND ctid < ?::tid FOR NO KEY UPDATE) l";
    }

    /**
     * The rows the catch-up pass copies: written since {@code startXmin} (digits only, see {@link RangePlanner}),
     * non-NULL, without a primary target row.
     */
    String catchUpOut(String startXmin) {
        return "COPY (SELECT u." + n.key() + ", u." + n.value() + ", true" + catchUpFrom(startXmin) + ") TO STDOUT";
    }

    String catchUpLock(String startXmin) {
        return "SELECT count(*) FROM (SELECT" + catchUpFrom(startXmin) + " FOR NO KEY UPDATE OF u) l";
    }

    /**
     * {@code OFFSET 0} keeps the NOT EXISTS a per-row probe of the target's unique index, made only for the row versions
     * written since the start. Pulled up into an anti-join, the planner (which cannot estimate the xmin filter) hashes
     * the whole target as soon as one row qualifies: by hand, 1M rows of which 857 qualified, 380–420 ms against
     * 140–255 ms, and a target larger than work_mem spills to disk.
     */
    private String catchUpFrom(String startXmin) {
        return " FROM " + n.source() + " u WHERE age(u.xmin) <= age('" + startXmin + "'::xid) AND u." + n.value() + " IS NOT NULL"
                + " AND NOT EXISTS (SELECT 1 FROM " + n.target() + " e WHERE e." + n.targetKey() + " = u." + n.key()
                + " AND e." + n.primaryFlag() + " OFFSET 0)";
    }
}
