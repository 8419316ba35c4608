package io.dualwrite.benchmarks;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.TransactionState;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * A {@link Connection} that reaches no database: statements it prepares accept every call and
 * report one row updated. Measures what the driver costs per statement without the database
 * (the AWS JDBC wrapper's {@code WrapperOverheadBenchmarks} idea). Built with
 * {@link Proxy}: the proxy's own cost is in both the raw and the wrapped figure.
 */
final class StubJdbc {

    private StubJdbc() {
    }

    static Connection connection() {
        Connection[] self = new Connection[1];
        // a BaseConnection, as PgJDBC's is: the driver reads the transaction state and session settings from it
        QueryExecutor executor = (QueryExecutor) Proxy.newProxyInstance(StubJdbc.class.getClassLoader(),
                new Class<?>[] {QueryExecutor.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getTransactionState" -> TransactionState.IDLE;
                    case "getStandardConformingStrings" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> defaultValue(method.getReturnType());
                });
        self[0] = (Connection) Proxy.newProxyInstance(StubJdbc.class.getClassLoader(), new Class<?>[] {BaseConnection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "prepareStatement", "prepareCall" -> statement(self[0]);
                    case "unwrap" -> proxy;
                    case "getQueryExecutor" -> executor;
                    case "getTransactionState" -> TransactionState.IDLE;
                    case "getStandardConformingStrings" -> true;
                    case "createStatement" -> statement(self[0]);
                    case "getAutoCommit" -> true;
                    case "isClosed", "isReadOnly" -> false;
                    case "isWrapperFor" -> true;
                    case "isValid" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "stub connection";
                    case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
                    default -> defaultValue(method.getReturnType());
                });
        return self[0];
    }

    private static PreparedStatement statement(Connection connection) {
        return (PreparedStatement) Proxy.newProxyInstance(StubJdbc.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "executeUpdate" -> 1;
                    case "executeQuery" -> oneRow();
                    case "executeLargeUpdate" -> 1L;
                    case "getUpdateCount" -> -1;
                    case "executeBatch" -> new int[0];
                    case "getConnection" -> connection;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "stub statement";
                    default -> defaultValue(method.getReturnType());
                });
    }

    /** One row whose every boolean is true (the driver asks once where an unqualified table name leads). */
    private static ResultSet oneRow() {
        boolean[] read = new boolean[1];
        return (ResultSet) Proxy.newProxyInstance(StubJdbc.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "next" -> !read[0] && (read[0] = true);
                    case "getBoolean" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> defaultValue(method.getReturnType());
                });
    }

    private static Object defaultValue(Class<?> type) {
        if (!type.isPrimitive() || type == void.class) {
            return null;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0d;
        }
        if (type == float.class) {
            return 0f;
        }
        if (type == short.class) {
            return (short) 0;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        if (type == char.class) {
            return (char) 0;
        }
        return 0;
    }

}
