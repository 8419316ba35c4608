package io.dualwrite.benchmarks;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One client of the YCSB-like workload on one variant's table, as BenchBase's YCSB procedures run it: every
 * operation borrows a connection from the pool, prepares its statement, executes it (auto-commit), reads every
 * column of every row, and closes. The mix and the keys come from a seeded generator, and the insert and delete
 * keys from counters, so every variant runs exactly the same operations.
 */
final class YcsbOperations {

    enum Kind { READ, SCAN, UPDATE_FIELD0, UPDATE_FIELD1, INSERT, DELETE }

    /** Longest scan (BenchBase's ScanRecord reads up to 1,000 rows). */
    static final int MAX_SCAN = 1_000;

    private final DataSource pool;
    private final String read;
    private final String scan;
    private final String updateField0;
    private final String updateField1;
    private final String insert;
    private final String delete;
    private final int rows;
    /** Keys above {@code rows}: the next one to insert, the oldest inserted one not yet deleted. */
    private long nextInsert;
    private long nextDelete;
    private long sink;

    YcsbOperations(DataSource pool, String table, int rows) {
        this.pool = pool;
        this.rows = rows;
        this.read = "SELECT * FROM " + table + " WHERE ycsb_key = ?";
        this.scan = "SELECT * FROM " + table + " WHERE ycsb_key > ? AND ycsb_key < ?";
        this.updateField0 = "UPDATE " + table + " SET field0 = ? WHERE ycsb_key = ?";
        this.updateField1 = "UPDATE " + table + " SET field1 = ? WHERE ycsb_key = ?";
        this.insert = "INSERT INTO " + table + " VALUES (?, ?, ?, ?)"; // no column list, as BenchBase writes it
        this.delete = "DELETE FROM " + table + " WHERE ycsb_key = ?";
        this.nextInsert = rows + 1L;
        this.nextDelete = rows + 1L;
    }

    /**
     * The next operation of the mix: read 50 %, update 25 % (half of them the migrated field1, one in ten of those to
     * NULL), scan 5 %, insert 10 %, delete 10 % (of a row this client inserted; a read while there is none).
     */
    Kind next(SplittableRandom random) {
        int p = random.nextInt(100);
        if (p < 50) {
            return Kind.READ;
        } else if (p < 75) {
            return p < 62 ? Kind.UPDATE_FIELD0 : Kind.UPDATE_FIELD1;
        } else if (p < 80) {
            return Kind.SCAN;
        } else if (p < 90) {
            return Kind.INSERT;
        }
        return nextDelete < nextInsert ? Kind.DELETE : Kind.READ;
    }

    /** Runs one operation; the generator draws the same values for every variant. */
    void run(Kind kind, SplittableRandom random) throws SQLException {
        long key = 1 + random.nextInt(rows);
        try (Connection c = pool.getConnection()) {
            switch (kind) {
                case READ -> query(c, read, key, -1);
                case SCAN -> query(c, scan, key - 1, key + 1 + random.nextInt(MAX_SCAN));
                case UPDATE_FIELD0 -> update(c, updateField0, "field0 " + random.nextInt(), key);
                case UPDATE_FIELD1 -> update(c, updateField1,
                        random.nextInt(10) == 0 ? null : "user" + key + "." + random.nextInt(1_000) + "@example.com", key);
                case INSERT -> insert(c, nextInsert++);
                case DELETE -> delete(c, nextDelete++);
            }
        }
    }

    /**
     * A checksum of what the reads returned (and of the update counts), so that no read can be left out and the
     * variants' reads can be compared.
     */
    long sink() {
        return sink;
    }

    /** A read by key ({@code to} negative) or a scan of the keys strictly between the two. */
    private void query(Connection c, String sql, long from, long to) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, from);
            if (to >= 0) {
                p.setLong(2, to);
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    // each row's columns in their order; the rows in any order (a scan has no ORDER BY)
                    sink += Objects.hash(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
                }
            }
        }
    }

    private void update(Connection c, String sql, String value, long key) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, value);
            p.setLong(2, key);
            sink += p.executeUpdate();
        }
    }

    private void delete(Connection c, long key) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(delete)) {
            p.setLong(1, key);
            sink += p.executeUpdate();
        }
    }

    private void insert(Connection c, long key) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(insert)) {
            p.setLong(1, key);
            p.setString(2, "field0 " + key);
            p.setString(3, "user" + key + "@example.com");
            p.setString(4, "field2 " + key);
            sink += p.executeUpdate();
        }
    }
}
