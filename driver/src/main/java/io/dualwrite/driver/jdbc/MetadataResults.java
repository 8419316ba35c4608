package io.dualwrite.driver.jdbc;

import org.postgresql.core.BaseStatement;
import org.postgresql.core.Field;
import org.postgresql.core.Tuple;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code DatabaseMetaData} result rebuilt from PgJDBC's rows ({@link RecordedColumnRows}, {@link RecordedIndexRows}):
 * the rows as PgJDBC's text bytes, and a result set made of them the way PgJDBC makes its own.
 */
final class MetadataResults {

    private MetadataResults() {
    }

    /** The rows of {@code rs} ({@code width} columns each, as their bytes), which it closes. */
    static List<byte[][]> rows(ResultSet rs, int width) throws SQLException {
        List<byte[][]> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                byte[][] row = new byte[width][];
                for (int i = 1; i <= width; i++) {
                    row[i - 1] = rs.getBytes(i);
                }
                out.add(row);
            }
        }
        return out;
    }

    /**
     * As PgJDBC's own metadata statement ({@code PgDatabaseMetaData.createMetaDataStatement}): scrollable, read-only,
     * closed with the result set; the rows are all in memory, so an application may last(), absolute(n), beforeFirst().
     */
    static ResultSet of(Connection physical, Field[] fields, List<byte[][]> rows) throws SQLException {
        List<Tuple> tuples = new ArrayList<>(rows.size());
        for (byte[][] row : rows) {
            tuples.add(new Tuple(row));
        }
        Statement statement = physical.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
        statement.closeOnCompletion();
        return statement.unwrap(BaseStatement.class).createDriverResultSet(fields, tuples);
    }

    static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
