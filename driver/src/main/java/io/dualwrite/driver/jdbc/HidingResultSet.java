package io.dualwrite.driver.jdbc;

import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The rows of a dual write with RETURNING (the application's own, or generated keys): the rewritten
 * statement returns the application's columns followed by the ones the sync view needed
 * ({@link io.dualwrite.rewriter.rewrite.DualWriteForm#HIDDEN_KEY}, {@code HIDDEN_VALUE}); the application sees
 * only the first {@link #visible} columns ({@link StatementPipeline#results}, the hide step).
 * Every method taking a column index or label is generated (see {@link Wrappers}) to call
 * {@link Guard} first, which rejects hidden columns exactly as PgJDBC rejects columns that do not
 * exist (same message, same SQLState), then the delegate.
 */
public abstract class HidingResultSet extends DualwriteResultSet {

    final int visible;

    protected HidingResultSet(ResultSet delegate, Statement statement, int visible) {
        super(delegate, statement);
        this.visible = visible;
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return Wrappers.hidingMetaData(delegate.getMetaData(), visible);
    }

    @Override
    public int findColumn(String columnLabel) throws SQLException {
        return Guard.label(this, columnLabel);
    }

    static PSQLException indexOutOfRange(int column, int visible) {
        return new PSQLException("The column index is out of range: " + column + ", number of columns: " + visible + ".",
                PSQLState.INVALID_PARAMETER_VALUE);
    }

    /** Called by the generated methods before they delegate. */
    public static final class Guard {
        private Guard() {
        }

        public static void index(@net.bytebuddy.implementation.bind.annotation.This HidingResultSet self,
                                 @net.bytebuddy.implementation.bind.annotation.Argument(0) int column) throws SQLException {
            if (column < 1 || column > self.visible) {
                throw indexOutOfRange(column, self.visible);
            }
        }

        public static int label(@net.bytebuddy.implementation.bind.annotation.This HidingResultSet self,
                                @net.bytebuddy.implementation.bind.annotation.Argument(0) String label) throws SQLException {
            int column = self.delegate.findColumn(label);
            if (column > self.visible) {
                throw new PSQLException("The column name " + label + " was not found in this ResultSet.", PSQLState.UNDEFINED_COLUMN);
            }
            return column;
        }

        public static void metaIndex(@net.bytebuddy.implementation.bind.annotation.This HidingMetaData self,
                                     @net.bytebuddy.implementation.bind.annotation.Argument(0) int column) throws SQLException {
            if (column < 1 || column > self.visible) {
                throw indexOutOfRange(column, self.visible);
            }
        }
    }
}
