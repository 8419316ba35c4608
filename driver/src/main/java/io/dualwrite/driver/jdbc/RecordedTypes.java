package io.dualwrite.driver.jdbc;

import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.PreferQueryMode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * How PgJDBC describes a column of a recorded type ({@code character varying(320)}): the
 * description of {@code SELECT CAST(NULL AS <type>)}, nothing executed, once per type and
 * connection. Its type answers (JDBC type, name, precision, scale, display size, class) are
 * computed from the type's oid and modifier, exactly as for a column of that type.
 */
final class RecordedTypes {

    private final Connection physical;
    private final Map<String, ResultSetMetaData> described = new HashMap<>();

    RecordedTypes(Connection physical) {
        this.physical = physical;
    }

    /**
     * The description of one column of {@code type}, or null when it cannot be had now (the type is
     * gone, or the transaction is aborted) or here ({@code preferQueryMode=simple}). Inside an open transaction the type is checked with
     * {@code to_regtype} first, which never fails: a describe that failed would abort it. Outside one
     * nothing is executed (a describe opens no transaction, so none is opened early in
     * {@code setAutoCommit(false)} mode).
     */
    synchronized ResultSetMetaData of(String type) {
        ResultSetMetaData md = described.get(type);
        if (md == null) {
            try {
                TransactionState state = physical.unwrap(BaseConnection.class).getTransactionState();
                // in simple query mode PgJDBC sends a describe as a query: it would run, and open a transaction
                if (physical.unwrap(PGConnection.class).getPreferQueryMode() == PreferQueryMode.SIMPLE
                        || state == TransactionState.FAILED || state == TransactionState.OPEN && !exists(type)) {
                    return null;
                }
                try (PreparedStatement p = physical.prepareStatement("SELECT CAST(NULL AS " + type + ")")) {
                    md = p.getMetaData();
                }
            } catch (SQLException e) {
                return null;
            }
            described.put(type, md);
        }
        return md;
    }

    private boolean exists(String type) throws SQLException {
        try (PreparedStatement p = physical.prepareStatement("SELECT to_regtype(?) IS NOT NULL")) {
            p.setString(1, type);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
