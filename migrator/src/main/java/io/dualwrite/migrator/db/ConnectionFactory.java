package io.dualwrite.migrator.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a new plain PgJDBC connection (one per parallel worker). */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open() throws SQLException;
}
