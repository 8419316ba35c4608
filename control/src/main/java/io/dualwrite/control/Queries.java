package io.dualwrite.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The one shape of catalog question every module asks: a query of text parameters whose answer is one boolean. */
public final class Queries {

    private Queries() {
    }

    /** The first column of {@code sql}'s first row, bound to {@code params} in order; false when there is no row. */
    public static boolean isTrue(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setString(i + 1, params[i]);
            }
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
