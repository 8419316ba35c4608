package io.dualwrite.migrator.parity;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.ControlTables;
import io.dualwrite.control.MigrationState;
import io.dualwrite.migrator.RefusedException;
import io.dualwrite.migrator.db.ConnectionFactory;
import io.dualwrite.migrator.db.MigrationNames;
import io.dualwrite.migrator.db.ParallelWorkers;
import io.dualwrite.migrator.db.Retry;
import io.dualwrite.rewriter.MigrationSpec;

import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static io.dualwrite.control.phase.PhaseTransitions.Operation.PARITY_REPAIR;
import static io.dualwrite.control.phase.PhaseTransitions.Operation.REVERSE_SYNC;

/**
 * Parity at scale (pt-table-checksum / data-diff style): the key range is cut into chunks; per chunk one
 * statement (one snapshot) computes {@code count(*)} and {@code sum(hashtext(key || '|' || value))} of the
 * source rows with a non-NULL value and of the primary target rows. Equal chunks are clean; a chunk that
 * differs is narrowed down to its offending keys with a row-level diff restricted to the chunk, and each
 * offending key is re-checked in a fresh transaction after locking its source row ({@code FOR SHARE}: an
 * in-flight dual write finishes first) before it is reported, so a live write racing the check never shows
 * up as drift. Chunks run in parallel ({@code workers} connections) and their results go to
 * {@code dualwrite.parity_chunk}, so {@code resume} continues an interrupted run.
 *
 * <p>{@code repair} rewrites the offending keys from the authoritative side of the current phase (the old
 * column in DUAL_WRITE / READ_NEW): the source rows are locked {@code FOR NO KEY UPDATE}, primary target
 * rows upserted or deleted, orphans deleted; the repaired chunks are then checked again.
 */
public final class ChunkedParity {

    public static final long DEFAULT_CHUNK_KEYS = 100_000;
    /** Offending keys re-checked one by one per chunk; beyond that the chunk's single-snapshot diff count is reported. */
    static final int RECHECK_LIMIT = 1000;

    public record Options(int workers, long chunkKeys, boolean resume, boolean repair, int limit) {
        public Options {
            if (workers < 1 || chunkKeys < 1) {
                throw new IllegalArgumentException("workers and chunk size must be at least 1");
            }
        }
    }

    /**
     * @param mismatches     offending keys after re-checks (after repair when repairing)
     * @param orphans        how many of them are orphaned target rows
     * @param sourceRows     source rows in the checked chunks
     * @param chunks         chunks checked by this run (resumed runs skip checked ones)
     * @param chunksDiffering chunks whose count or hash differed
     * @param falseAlarms    keys that differed in the chunk's snapshot but re-checked clean (a racing write)
     * @param repaired       keys rewritten by --repair
     * @param runId          the run's id in dualwrite.parity_chunk
     */
    public record Result(long mismatches, long orphans, long sourceRows, int chunks, int chunksDiffering, long falseAlarms,
                         long repaired, List<Mismatch> samples, long runId, double seconds) {
        public boolean clean() {
            return mismatches == 0;
        }

        public double rowsPerSecond() {
            return seconds <= 0 ? 0 : sourceRows / seconds;
        }
    }

    private record Chunk(int no, String lo, String hi) {
    }

    /** The coordinating connection of the current attempt. */
    private Connection c;
    private final ConnectionFactory factory;
    private final String migration;
    private final Options o;
    private MigrationNames names;
    private String keyType;
    private KeyParity keys;
    /** The run's id in dualwrite.parity_chunk, once its chunks are planned (or found, resuming). */
    private long runId;
    private int checked;
    private long t0;
    private final AtomicLong orphans = new AtomicLong();
    private final AtomicLong falseAlarms = new AtomicLong();
    private final AtomicLong repaired = new AtomicLong();
    private final AtomicLong differing = new AtomicLong();
    private final List<Mismatch> samples = new ArrayList<>();

    private ChunkedParity(Connection c, ConnectionFactory factory, String migration, Options o) {
        this.c = c;
        this.factory = factory;
        this.migration = migration;
        this.o = o;
    }

    public static Result run(Connection c, ConnectionFactory factory, String migration, Options o) throws SQLException {
        return new ChunkedParity(c, factory, migration, o).run();
    }

    /**
     * The same, riding out transient faults: after one, the run reconnects and checks the chunks it has not recorded
     * yet (a chunk in flight is checked again from its start; a repair is idempotent). The result counts every attempt.
     */
    public static Result run(ConnectionFactory factory, String migration, Options o, Retry retry) throws SQLException {
        ChunkedParity p = new ChunkedParity(null, factory, migration, o);
        return retry.run(factory, p::resumePoint, (c, retried) -> {
            p.c = c;
            return p.run();
        });
    }

    /** Where a retry resumes, for the progress line. */
    private String resumePoint(Connection c) throws SQLException {
        if (runId == 0) {
            return "from the start";
        }
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FILTER (WHERE mismatches IS NOT NULL), count(*)"
                + " FROM dualwrite.parity_chunk WHERE migration = ? AND run_id = ?")) {
            p.setString(1, migration);
            p.setLong(2, runId);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return "with the chunks not checked yet (" + rs.getLong(1) + " of " + rs.getLong(2) + " checked, run " + runId + ")";
            }
        }
    }

    private Result run() throws SQLException {
        if (t0 == 0) {
            t0 = System.nanoTime();
        }
        if (!c.getAutoCommit()) {
            c.commit();
            c.setAutoCommit(true);
        }
        MigrationState ms = ControlSchema.require(c, migration);
        MigrationSpec spec = ms.spec();
        names = MigrationNames.of(spec);
        if (o.repair() && !PARITY_REPAIR.runsIn(ms.phase())) {
            throw new RefusedException("--repair rewrites the target from the old column, which is authoritative only while the"
                    + " application writes it: " + PARITY_REPAIR.refusalIn(ms.phase())
                    + (REVERSE_SYNC.runsIn(ms.phase()) ? " (the new table is authoritative: use dualwrite reverse-sync)" : ""));
        }
        ControlTables.install(c);
        keyType = ControlSchema.columnType(c, spec.sourceSchema(), spec.sourceTable(), spec.keyColumn());
        keys = new KeyParity(names, keyType);
        List<Chunk> chunks = null;
        if (runId > 0) {
            chunks = loadChunks(runId, true); // a retry: this run's chunks not recorded yet
        } else if (o.resume()) {
            long latest = queryLong(c, "SELECT coalesce(max(run_id), 0) FROM dualwrite.parity_chunk WHERE migration = ?", migration);
            if (latest > 0) {
                chunks = loadChunks(latest, true);
                runId = latest;
            }
        }
        if (chunks == null) {
            long next = queryLong(c, "SELECT coalesce(max(run_id), 0) + 1 FROM dualwrite.parity_chunk WHERE migration = ?", migration);
            planChunks(next);
            runId = next;
            chunks = loadChunks(runId, true);
        }
        if (checked == 0) {
            checked = chunks.size();
        }
        ConcurrentLinkedQueue<Chunk> todo = new ConcurrentLinkedQueue<>(chunks);
        int workers = factory == null ? 1 : Math.max(1, Math.min(o.workers(), todo.size()));
        long rid = runId;
        if (workers == 1) {
            work(c, todo, rid);
        } else {
            ParallelWorkers.run("dualwrite-parity", workers, id -> {
                try (Connection wc = factory.open()) {
                    work(wc, todo, rid);
                }
            }, todo::clear);
        }
        // the totals of every chunk of the run as recorded: also those of an interrupted run or attempt resumed here
        long mismatches, sourceRows;
        try (PreparedStatement p = c.prepareStatement("SELECT coalesce(sum(source_rows), 0), coalesce(sum(mismatches), 0)"
                + " FROM dualwrite.parity_chunk WHERE migration = ? AND run_id = ?")) {
            p.setString(1, migration);
            p.setLong(2, runId);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                sourceRows = rs.getLong(1);
                mismatches = rs.getLong(2);
            }
        }
        List<Mismatch> shown;
        synchronized (samples) {
            samples.sort(Comparator.comparing(Mismatch::key, ChunkedParity::compareKeys));
            shown = List.copyOf(samples.subList(0, Math.min(o.limit(), samples.size())));
        }
        return new Result(mismatches, orphans.get(), sourceRows, checked, (int) differing.get(), falseAlarms.get(),
                repaired.get(), shown, runId, (System.nanoTime() - t0) / 1e9);
    }

    private static int compareKeys(String a, String b) {
        if (a.matches("-?\\d+") && b.matches("-?\\d+")) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        return a.compareTo(b);
    }

    private void planChunks(long runId) throws SQLException {
        List<String[]> bounds = KeyRanges.plan(c, names, keyType, o.chunkKeys());
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO dualwrite.parity_chunk (migration, run_id, chunk_no, lo_key, hi_key) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < bounds.size(); i++) {
                p.setString(1, migration);
                p.setLong(2, runId);
                p.setInt(3, i);
                p.setString(4, bounds.get(i)[0]);
                p.setString(5, bounds.get(i)[1]);
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private List<Chunk> loadChunks(long runId, boolean uncheckedOnly) throws SQLException {
        List<Chunk> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT chunk_no, lo_key, hi_key FROM dualwrite.parity_chunk"
                + " WHERE migration = ? AND run_id = ?" + (uncheckedOnly ? " AND mismatches IS NULL" : "") + " ORDER BY chunk_no")) {
            p.setString(1, migration);
            p.setLong(2, runId);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Chunk(rs.getInt(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    private void work(Connection wc, ConcurrentLinkedQueue<Chunk> todo, long runId) throws SQLException {
        wc.setAutoCommit(true);
        Chunk ch;
        while ((ch = todo.poll()) != null) {
            checkChunk(wc, ch, runId);
        }
    }

    /** " AND col > ?::T AND col <= ?::T" for the bounds present. */
    private String bounds(String col, Chunk ch) {
        return (ch.lo != null ? " AND " + col + " > ?::" + keyType : "") + (ch.hi != null ? " AND " + col + " <= ?::" + keyType : "");
    }

    private int bind(PreparedStatement p, int i, Chunk ch) throws SQLException {
        if (ch.lo != null) {
            p.setString(++i, ch.lo);
        }
        if (ch.hi != null) {
            p.setString(++i, ch.hi);
        }
        return i;
    }

    private void checkChunk(Connection wc, Chunk ch, long runId) throws SQLException {
        String src = names.source(), tgt = names.target();
        String k = "u." + names.key(), v = "u." + names.value();
        String tk = "e." + names.targetKey(), tv = "e." + names.targetValue(), flag = "e." + names.primaryFlag();
        String sql = "SELECT (SELECT count(*) FROM " + src + " u WHERE true" + bounds(k, ch) + "),"
                + " s.n, s.h, t.n, t.h FROM"
                + " (SELECT count(*) AS n, coalesce(sum(hashtext(" + k + "::text || '|' || " + v + "::text)), 0) AS h FROM " + src
                + " u WHERE " + v + " IS NOT NULL" + bounds(k, ch) + ") s,"
                + " (SELECT count(*) AS n, coalesce(sum(hashtext(" + tk + "::text || '|' || " + tv + "::text)), 0) AS h FROM " + tgt
                + " e WHERE " + flag + bounds(tk, ch) + ") t";
        long rows;
        boolean same;
        try (PreparedStatement p = wc.prepareStatement(sql)) {
            int i = bind(p, 0, ch);
            i = bind(p, i, ch);
            bind(p, i, ch);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                rows = rs.getLong(1);
                same = rs.getLong(2) == rs.getLong(4) && rs.getLong(3) == rs.getLong(5);
            }
        }
        // this chunk's figures are published once its row is recorded: a chunk a fault interrupted is checked again
        long repairedHere = 0, falseAlarmsHere = 0;
        List<Mismatch> confirmed = new ArrayList<>();
        if (!same) {
            List<Mismatch> diff = diff(wc, ch);
            if (o.repair() && !diff.isEmpty()) {
                repairedHere = keys.repair(wc, diff.stream().map(Mismatch::key).toList());
                diff = diff(wc, ch);
            }
            int rechecked = 0;
            for (Mismatch m : diff) {
                if (rechecked++ < RECHECK_LIMIT) {
                    Mismatch again = keys.recheck(wc, m.key());
                    if (again == null) {
                        falseAlarmsHere++;
                        continue;
                    }
                    m = again;
                }
                confirmed.add(m);
            }
        }
        List<String> offending = confirmed.stream().limit(100).map(Mismatch::key).toList();
        try (PreparedStatement p = wc.prepareStatement("UPDATE dualwrite.parity_chunk SET source_rows = ?, mismatches = ?,"
                + " offending = ?, checked_at = now() WHERE migration = ? AND run_id = ? AND chunk_no = ?")) {
            p.setLong(1, rows);
            p.setLong(2, confirmed.size());
            Array a = wc.createArrayOf("text", offending.toArray());
            p.setArray(3, a);
            p.setString(4, migration);
            p.setLong(5, runId);
            p.setInt(6, ch.no);
            p.executeUpdate();
        }
        if (!same) {
            differing.incrementAndGet();
        }
        repaired.addAndGet(repairedHere);
        falseAlarms.addAndGet(falseAlarmsHere);
        orphans.addAndGet(confirmed.stream().filter(m -> m.kind() == Mismatch.Kind.ORPHAN).count());
        synchronized (samples) {
            for (Mismatch m : confirmed) {
                if (samples.size() >= Math.max(o.limit(), 0) * 4L + 100) {
                    break;
                }
                samples.add(m);
            }
        }
    }

    /** The chunk's offending keys, in one snapshot (one statement): differing values and orphaned primary rows. */
    private List<Mismatch> diff(Connection wc, Chunk ch) throws SQLException {
        String src = names.source(), tgt = names.target();
        String k = "u." + names.key(), v = "u." + names.value();
        String tk = "e." + names.targetKey(), tv = "e." + names.targetValue(), flag = "e." + names.primaryFlag();
        String sql = "SELECT k::text, sv, tv, orphan FROM ("
                + "SELECT " + k + " AS k, " + v + "::text AS sv, " + tv + "::text AS tv, false AS orphan FROM " + src + " u LEFT JOIN "
                + tgt + " e ON " + tk + " = " + k + " AND " + flag + " WHERE " + v + " IS DISTINCT FROM " + tv + bounds(k, ch)
                + " UNION ALL SELECT " + tk + ", NULL, " + tv + "::text, true FROM " + tgt + " e WHERE " + flag + bounds(tk, ch)
                + " AND NOT EXISTS (SELECT 1 FROM " + src + " u WHERE " + k + " = " + tk + ")) x ORDER BY x.k";
        List<Mismatch> out = new ArrayList<>();
        try (PreparedStatement p = wc.prepareStatement(sql)) {
            bind(p, bind(p, 0, ch), ch);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Mismatch(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getBoolean(4) ? Mismatch.Kind.ORPHAN : Mismatch.Kind.MISMATCH));
                }
            }
        }
        return out;
    }

    private static long queryLong(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, param);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
