package io.dualwrite.driver.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the application bound on a statement that touches a migration: parameters, batch entries
 * and statement settings, so that the statement can be prepared again with different SQL when the
 * phase changes between binding and executing. Only rewriting statements keep one; pass-through
 * statements record nothing.
 */
final class ParameterLog {

    /** One setter call, replayed by reflection: this happens only on a phase change, never per statement. */
    record Call(Method method, Object[] args) {
        void replay(PreparedStatement target) throws SQLException {
            try {
                method.invoke(target, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                throw new SQLException("could not re-bind " + method.getName() + " after a phase change", e.getCause());
            } catch (IllegalAccessException e) {
                throw new SQLException("could not re-bind " + method.getName() + " after a phase change", e);
            }
        }
    }

    private final List<Call> parameters = new ArrayList<>();
    private final List<List<Call>> batches = new ArrayList<>();
    private final Map<String, Call> settings = new LinkedHashMap<>();

    void parameter(Method method, Object[] args) {
        parameters.add(new Call(method, args));
    }

    void setting(Method method, Object[] args) {
        settings.put(method.getName(), new Call(method, args));
    }

    void clearParameters() {
        parameters.clear();
    }

    void addBatch() {
        batches.add(List.copyOf(parameters));
    }

    void clearBatch() {
        batches.clear();
    }

    int batchSize() {
        return batches.size();
    }

    /** Binds the current parameters (not settings, not batches) onto another statement: shadow reads. */
    void replayParametersOnto(PreparedStatement target) throws SQLException {
        for (Call call : parameters) {
            call.replay(target);
        }
    }

    /** Brings a freshly prepared statement to the state the old one was in. */
    void replayOnto(PreparedStatement target) throws SQLException {
        for (Call setting : settings.values()) {
            setting.replay(target);
        }
        for (List<Call> entry : batches) {
            for (Call call : entry) {
                call.replay(target);
            }
            target.addBatch();
        }
        for (Call call : parameters) {
            call.replay(target);
        }
    }
}
