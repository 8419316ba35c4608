package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.OriginalStatementCheck;
import io.dualwrite.rewriter.Rewrite;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the application bound on a statement that touches a migration: parameters, batch entries
 * and statement settings, so that the statement can be prepared again with different SQL when the
 * phase changes between binding and executing, and a shadow read can bind the same values. Values
 * are kept as they were at the setter call ({@link BoundValues}), so every binding sends exactly
 * what the application bound. Only rewriting statements keep one; pass-through statements record nothing.
 */
final class ParameterLog {

    /** One setter call with its arguments frozen, bound again by reflection: only on a phase change or a shadow read. */
    record Call(Method method, Object[] args) {
        void replay(PreparedStatement target) throws SQLException {
            if (target instanceof ParameterFanOut fanOut) {
                fanOut.bindEach(method, args);
            } else {
                invoke(method, target, BoundValues.forBinding(args));
            }
        }

        /** The same call on the parameter {@code by} places later (a later row of a multi-row statement). */
        Call shifted(int by) {
            if (by == 0) {
                return this;
            }
            Object[] moved = args.clone();
            moved[0] = (Integer) moved[0] + by;
            return new Call(method, moved);
        }
    }

    /**
     * The latest setter call per parameter index (index 1 at position 1): a statement prepared once
     * and executed many times keeps one entry per parameter, however often the application binds.
     */
    private Call[] parameters = new Call[8];
    private final List<Call[]> batches = new ArrayList<>();
    private final Map<String, Call> settings = new LinkedHashMap<>();

    /** Records a setter whose arguments cannot change after the call (primitives, String, BigDecimal…); the caller delegates it. */
    void parameter(Method method, Object[] args) {
        remember(new Call(method, args));
    }

    /**
     * A setter whose values can change or be consumed after the call (streams, readers, byte[],
     * dates, calendars, arrays, setObject): binds their snapshot on {@code target} and records it.
     */
    void bind(Method method, Object[] args, PreparedStatement target) throws SQLException {
        Call call = new Call(method, BoundValues.snapshot(method, args));
        call.replay(target);
        remember(call);
    }

    private void remember(Call call) {
        int index = (Integer) call.args()[0];
        if (index < 0) {
            return; // PgJDBC rejects it when the call is delegated; nothing to replay
        }
        if (index >= parameters.length) {
            parameters = Arrays.copyOf(parameters, Math.max(index + 1, parameters.length * 2));
        }
        parameters[index] = call;
    }

    void setting(Method method, Object[] args) {
        settings.put(method.getName(), new Call(method, args));
    }

    void clearParameters() {
        Arrays.fill(parameters, null);
    }

    void addBatch() {
        batches.add(parameters.clone());
    }

    void clearBatch() {
        batches.clear();
    }

    /**
     * The current parameters frozen, as the original statement's check binds them ({@link OriginalStatementCheck}):
     * {@code types} names the setters called (and a {@code setNull}'s or {@code setObject}'s SQL type), which decide
     * the types PgJDBC sends.
     */
    OriginalStatementCheck.Sent sent(String sql) {
        Call[] calls = parameters.clone();
        StringBuilder types = new StringBuilder();
        for (Call c : calls) {
            if (c != null) {
                types.append(c.method().getName());
                if (c.method().getName().equals("setObject") && c.args()[1] != null) {
                    types.append(':').append(c.args()[1].getClass().getName()); // PgJDBC types it by its class
                }
                // setNull's SQL type is its second argument, setObject's third; a value is not a type
                for (int i = c.method().getName().equals("setNull") ? 1 : 2; i < c.args().length; i++) {
                    types.append('/').append(c.args()[i] instanceof Integer type ? type : "");
                }
                types.append(',');
            } else {
                types.append("-,");
            }
        }
        return new OriginalStatementCheck.Sent(sql, types.toString(), p -> replay(calls, p));
    }

    /** The batch entries added so far, each its parameters by index. */
    List<Call[]> batchEntries() {
        return batches;
    }

    /** The statement settings made so far (timeouts, sizes), to make on another statement. */
    Collection<Call> settings() {
        return settings.values();
    }

    /**
     * A write's form for the values bound ({@link Rewrite.IfNotNull}): the cheaper one when every parameter that
     * carries a value for the migrated column is bound non-NULL, in every batch entry too. Executions that alternate
     * NULL and non-NULL values prepare the statement again at each switch.
     */
    Rewrite.Rewritten formFor(Rewrite.Rewritten rewrite) {
        if (rewrite == null || rewrite.ifNotNull() == null) {
            return rewrite;
        }
        return notNull(rewrite.ifNotNull().parameters()) ? rewrite.ifNotNull().form() : rewrite;
    }

    /**
     * Whether each of {@code indexes} is bound to a value, not NULL, now and in every batch entry: a setter other than
     * {@code setNull} whose value is not null (nor a {@code setObject} typed {@link Types#NULL}).
     */
    private boolean notNull(int[] indexes) {
        for (int index : indexes) {
            if (!notNull(parameters, index)) {
                return false;
            }
            for (Call[] entry : batches) {
                if (!notNull(entry, index)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean notNull(Call[] calls, int index) {
        Call c = index < calls.length ? calls[index] : null;
        if (c == null || c.args().length < 2 || c.args()[1] == null || c.method().getName().equals("setNull")) {
            return false;
        }
        Object type = c.args().length > 2 && c.method().getName().equals("setObject") ? c.args()[2] : null;
        return !(type instanceof Integer t && t == Types.NULL) && type != JDBCType.NULL;
    }

    /** How many parameter bindings are kept (for tests: bounded by the number of parameters). */
    int boundParameters() {
        int n = 0;
        for (Call c : parameters) {
            n += c == null ? 0 : 1;
        }
        return n;
    }

    /** Binds the current parameters (not settings, not batches) onto another statement: shadow reads (whose SQL keeps the application's markers). */
    void replayParametersOnto(PreparedStatement target) throws SQLException {
        replay(parameters, target);
    }

    private static void replay(Call[] calls, PreparedStatement target) throws SQLException {
        for (Call call : calls) {
            if (call != null) {
                call.replay(target);
            }
        }
    }

    /**
     * Brings a freshly prepared statement to the state the old one was in.
     *
     * @param parameterTarget where its parameters are bound: {@code target}, or a {@link ParameterFanOut}
     *                        over it when its SQL moves or repeats parameters
     */
    void replayOnto(PreparedStatement target, PreparedStatement parameterTarget) throws SQLException {
        for (Call setting : settings.values()) {
            setting.replay(target);
        }
        for (Call[] entry : batches) {
            replay(entry, parameterTarget);
            target.addBatch();
        }
        replay(parameters, parameterTarget);
    }

    static void invoke(Method method, PreparedStatement target, Object[] args) throws SQLException {
        try {
            method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("could not bind " + method.getName() + " on the statement dualwrite prepared", e.getCause());
        } catch (IllegalAccessException e) {
            throw new SQLException("could not bind " + method.getName() + " on the statement dualwrite prepared", e);
        }
    }
}
