package io.dualwrite.migrator.watch;

import io.dualwrite.migrator.RefusedException;
import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server side of the change feed: a publication on the source table (with its inheritance children) and
 * the target table, and a logical replication slot decoding them with the built-in {@code pgoutput} plugin.
 * Everything is created idempotently; {@link #drop} removes it again (a slot that nobody reads keeps WAL).
 *
 * <p>Why {@code pgoutput} and not {@code test_decoding}: it ships with every PostgreSQL (test_decoding is a
 * contrib module some servers lack), the publication filters the changes on the server (test_decoding sends
 * every table's changes), and its framing is binary and exact (no quoting to parse back).
 */
final class FeedSlot {

    private final String name;

    private FeedSlot(String name) {
        this.name = name;
    }

    /** One slot and one publication per migration, named {@code dualwrite_watch_<migration>_<hash>} (≤ 63 bytes). */
    static FeedSlot of(String migration) {
        String readable = migration.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (readable.length() > 30) {
            readable = readable.substring(0, 30);
        }
        return new FeedSlot("dualwrite_watch_" + readable + "_" + String.format("%08x", migration.hashCode()));
    }

    /** The slot's name; the publication has the same one. */
    String name() {
        return name;
    }

    /** Logical decoding needs wal_level = logical, which only a restart changes: refuse clearly before anything else. */
    static void requireLogicalWal(Connection c) throws SQLException {
        String level = show(c, "wal_level");
        if (!"logical".equals(level)) {
            throw new RefusedException("wal_level is '" + level + "', but the watch reads PostgreSQL's logical decoding, which"
                    + " needs wal_level = logical. Set it (ALTER SYSTEM SET wal_level = logical, or wal_level = logical in"
                    + " postgresql.conf; on a managed service its logical-replication parameter) and restart the server;"
                    + " max_replication_slots and max_wal_senders must be at least 1, and the user needs the REPLICATION"
                    + " attribute");
        }
    }

    /**
     * Replica identities, publication, slot — in that order: the publication must exist before the slot's
     * starting point, or pgoutput cannot find it when it decodes the first change.
     */
    void ensure(Connection c, MigrationSpec spec) throws SQLException {
        requireSourceIdentity(c, spec);
        targetIdentityFull(c, spec);
        String tables = spec.qualifiedSource() + ", " + spec.qualifiedTarget();
        try (Statement s = c.createStatement()) {
            if (exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                // re-listing the tables picks up inheritance children created since the last start
                s.execute("ALTER PUBLICATION " + Identifiers.quote(name) + " SET TABLE " + tables);
            } else {
                s.execute("CREATE PUBLICATION " + Identifiers.quote(name) + " FOR TABLE " + tables
                        + " WITH (publish = 'insert, update, delete, truncate')");
            }
        }
        if (!exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            try (PreparedStatement p = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
                p.setString(1, name);
                p.executeQuery().close();
            }
        }
    }

    /**
     * Drops the slot and the publication and gives the target its default replica identity back (unless another
     * publication still covers it); false if neither existed.
     */
    boolean drop(Connection c, MigrationSpec spec) throws SQLException {
        boolean existed = false;
        try (PreparedStatement p = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    existed = true;
                    if (rs.getObject(1) != null) {
                        throw new RefusedException("the watch's slot " + name + " is in use by the backend with pid " + rs.getInt(1)
                                + ": stop that watch first, then run watch --stop again");
                    }
                }
            }
        }
        if (existed) {
            try (PreparedStatement p = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                p.setString(1, name);
                p.executeQuery().close();
            }
        }
        existed |= exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?");
        try (Statement s = c.createStatement()) {
            s.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(name));
        }
        if (!stillPublished(c, spec)) { // another publication would need the identity for the target's UPDATE and DELETE
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '2s'");
                s.execute("ALTER TABLE " + spec.qualifiedTarget() + " REPLICA IDENTITY DEFAULT");
                s.execute("RESET lock_timeout");
            }
        }
        return existed;
    }

    private static boolean stillPublished(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_publication_tables"
                + " WHERE format('%I.%I', schemaname, tablename)::regclass = ?::regclass)")) {
            p.setString(1, spec.qualifiedTarget());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** WAL the slot keeps on the server (bytes from its restart point to now), or -1 without a slot. */
    long retainedWalBytes(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /**
     * A table in a publication that publishes UPDATE and DELETE must have a replica identity, or PostgreSQL
     * refuses the application's UPDATE and DELETE on it; and the watch needs the key of a deleted row. So every
     * source table (the source and its inheritance children) must have an identity that includes the key.
     */
    private static void requireSourceIdentity(Connection c, MigrationSpec spec) throws SQLException {
        List<String> lacking = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("WITH RECURSIVE t(oid) AS (SELECT ?::regclass::oid UNION"
                + " SELECT i.inhrelid FROM pg_inherits i JOIN t ON i.inhparent = t.oid)"
                + " SELECT c.oid::regclass::text FROM t JOIN pg_class c ON c.oid = t.oid WHERE c.relreplident <> 'f'"
                + " AND NOT EXISTS (SELECT 1 FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid"
                + " AND a.attnum = ANY(x.indkey) WHERE x.indrelid = c.oid AND a.attname = ?"
                + " AND ((c.relreplident = 'd' AND x.indisprimary) OR (c.relreplident = 'i' AND x.indisreplident)))"
                + " ORDER BY 1")) {
            p.setString(1, spec.qualifiedSource());
            p.setString(2, spec.keyColumn());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    lacking.add(rs.getString(1));
                }
            }
        }
        if (!lacking.isEmpty()) {
            throw new RefusedException("no replica identity that includes the key " + spec.keyColumn() + " on " + String.join(", ", lacking)
                    + ": once published, PostgreSQL would refuse the application's UPDATE and DELETE there, and the watch could"
                    + " not tell which key a DELETE removed. Give each one (ALTER TABLE " + lacking.get(0)
                    + " REPLICA IDENTITY FULL, or a primary key on " + spec.keyColumn() + "), then run watch again");
        }
    }

    /**
     * The target has no primary key (expand creates none), so its deletes would be refused once published;
     * FULL logs the old row of a target update or delete, which also tells the watch the key it had.
     */
    private static void targetIdentityFull(Connection c, MigrationSpec spec) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT relreplident = 'f' FROM pg_class WHERE oid = ?::regclass")) {
            p.setString(1, spec.qualifiedTarget());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = '2s'");
            s.execute("ALTER TABLE " + spec.qualifiedTarget() + " REPLICA IDENTITY FULL");
            s.execute("RESET lock_timeout");
        }
    }

    private boolean exists(Connection c, String sql) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
