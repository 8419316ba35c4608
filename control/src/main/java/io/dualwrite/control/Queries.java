package io.dualwrite.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The shapes of catalog question every module asks: a query of text parameters whose answer is one boolean, or a list. */
public final class Queries {

    private Queries() {
    }

    /** The first column of {@code sql}'s first row, bound to {@code params} in order; false when there is no row. */
    public static boolean isTrue(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement p = bound(c, sql, params); ResultSet rs = p.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** The first column of each of {@code sql}'s rows, bound to {@code params} in order. */
    public static List<String> strings(Connection c, String sql, String... params) throws SQLException {
        return rows(c, sql, rs -> rs.getString(1), params);
    }

    /** What {@code row} reads from each of {@code sql}'s rows, bound to {@code params} in order. */
    public static <T> List<T> rows(Connection c, String sql, Row<T> row, String... params) throws SQLException {
        List<T> out = new ArrayList<>();
        try (PreparedStatement p = bound(c, sql, params); ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(row.of(rs));
            }
        }
        return out;
    }

    /** Reads one row of a result set (positioned on it). */
    @FunctionalInterface
    public interface Row<T> {
        T of(ResultSet rs) throws SQLException;
    }

    private static PreparedStatement bound(Connection c, String sql, String... params) throws SQLException {
        PreparedStatement p = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                p.setString(i + 1, params[i]);
            }
        } catch (SQLException e) {
            p.close();
            throw e;
        }
        return p;
    }
}
