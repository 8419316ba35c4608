package io.dualwrite.driver;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresServer;
import io.dualwrite.testing.TestDatabase;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The twin databases of the READ_NEW differentials: {@code plain}, where the old column is the truth, and {@code dual}
 * through dualwrite in READ_NEW, whose old column is wrong on purpose, so only a read of the new table matches.
 */
final class ReadNewTwins implements AutoCloseable {

    private final TestDatabase plainDb;
    final Connection plain;
    final Connection dual;

    private ReadNewTwins(TestDatabase plainDb, Connection plain, Connection dual) {
        this.plainDb = plainDb;
        this.plain = plain;
        this.dual = dual;
    }

    static ReadNewTwins open(TestDatabase db) throws SQLException {
        TestDatabase plainDb = PostgresServer.get().createDatabase();
        MigrationFixture.createTables(plainDb);
        plainDb.execute(ReadNewDifferentialTest.SCHEMA);
        MigrationFixture.createTables(db);
        db.execute(ReadNewDifferentialTest.SCHEMA + ReadNewDifferentialTest.TARGET);
        MigrationFixture.register(db, Phase.READ_NEW);
        db.execute("UPDATE users SET email = 'stale-' || id WHERE email IS NOT NULL");
        return new ReadNewTwins(plainDb, plainDb.connect(), db.connectDualwrite());
    }

    @Override
    public void close() throws SQLException {
        dual.close();
        plain.close();
        plainDb.close();
    }
}
