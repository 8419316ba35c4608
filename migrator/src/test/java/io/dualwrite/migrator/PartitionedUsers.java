package io.dualwrite.migrator;

import io.dualwrite.testing.TestDatabase;

import java.sql.SQLException;

/**
 * A declaratively partitioned {@code users}: LIST-partitioned by {@code region} (0..7), partition 7 itself
 * HASH-partitioned by id into two leaves (9 leaves at two levels). The key {@code id} is unique only together
 * with the partition key ({@code PRIMARY KEY (id, region)}: PostgreSQL's rule for partitioned tables); ids come
 * from one sequence. Updating {@code region} moves a row to another partition.
 */
public final class PartitionedUsers {

    public static final int REGIONS = 8;
    /** Leaf partitions: regions 0..6, and two hash leaves of region 7. */
    public static final int LEAVES = 9;

    private PartitionedUsers() {
    }

    /** {@code n} users, region {@code id % 8}, every 7th email NULL (as {@link Fixtures#createUsers}). */
    public static void create(TestDatabase db, int n) throws SQLException {
        create(db, n, true);
    }

    /** @param partitioned false: the same columns, keys and rows in one plain table (a baseline for measurements) */
    public static void create(TestDatabase db, int n, boolean partitioned) throws SQLException {
        db.execute("CREATE SEQUENCE users_id_seq");
        db.execute("CREATE TABLE users (id bigint NOT NULL DEFAULT nextval('users_id_seq'), region int NOT NULL,"
                + " name text NOT NULL, email text, PRIMARY KEY (id, region))" + (partitioned ? " PARTITION BY LIST (region)" : ""));
        if (partitioned) {
            for (int r = 0; r < REGIONS - 1; r++) {
                db.execute("CREATE TABLE users_p" + r + " PARTITION OF users FOR VALUES IN (" + r + ")");
            }
            db.execute("CREATE TABLE users_p7 PARTITION OF users FOR VALUES IN (7) PARTITION BY HASH (id)");
            for (int h = 0; h < 2; h++) {
                db.execute("CREATE TABLE users_p7_" + h + " PARTITION OF users_p7 FOR VALUES WITH (MODULUS 2, REMAINDER " + h + ")");
            }
        } else {
            db.execute("CREATE UNIQUE INDEX ON users (id)");
        }
        db.execute("INSERT INTO users (id, region, name, email) SELECT g, g % " + REGIONS + ", 'user ' || g,"
                + " CASE WHEN g % 7 = 0 THEN NULL ELSE 'u' || g || '@example.com' END FROM generate_series(1, " + n + ") g");
        db.execute("SELECT setval('users_id_seq', " + n + ")");
        db.execute("ANALYZE users");
    }
}
