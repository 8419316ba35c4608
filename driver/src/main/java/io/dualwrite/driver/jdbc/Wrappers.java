package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.driver.runtime.MigrationRuntime;
import io.dualwrite.driver.runtime.SourceColumns;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Rewrite;
import io.dualwrite.rewriter.RewritePlan;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import net.bytebuddy.implementation.ExceptionMethod;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.MethodCall;
import net.bytebuddy.implementation.MethodDelegation;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.bind.annotation.AllArguments;
import net.bytebuddy.implementation.bind.annotation.Argument;
import net.bytebuddy.implementation.bind.annotation.FieldValue;
import net.bytebuddy.implementation.bind.annotation.Origin;
import net.bytebuddy.implementation.bind.annotation.This;
import net.bytebuddy.matcher.ElementMatcher;
import org.postgresql.jdbc.PgResultSetMetaData;

import java.io.InputStream;
import java.io.Reader;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Wrapper;
import java.util.Calendar;
import java.util.Date;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isDefaultMethod;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Generates, once per class loader at class-init, the concrete wrappers: each hand-written abstract
 * wrapper gets a subclass whose remaining methods call the same method on its {@code delegate}
 * field directly (no reflection, no proxy, no lock), the way HikariCP generates its proxies.
 * Interface default methods are delegated too, so PgJDBC's own implementations run; {@code unwrap}
 * and {@code isWrapperFor} are generated for all of them ({@link WrapperMethods}).
 */
final class Wrappers {

    private static final ElementMatcher.Junction<MethodDescription> DELEGATED = isAbstract().or(isDefaultMethod());
    /** Declared before the generated classes below: static initialisers run in order. */
    /** Dynamic typing: a {@link RewritingCallableStatement}'s delegate is a CallableStatement in a PreparedStatement field. */
    private static final Implementation.Composable DELEGATE_CALL = MethodCall.invokeSelf().onField("delegate").withAllArguments()
            .withAssigner(Assigner.DEFAULT, Assigner.Typing.DYNAMIC);
    /** A rewriting statement's parameter setter goes to its {@code parameters} field: the delegate, or a {@link ParameterFanOut} over it. */
    private static final Implementation.Composable PARAMETER_CALL = MethodCall.invokeSelf().onField("parameters").withAllArguments()
            .withAssigner(Assigner.DEFAULT, Assigner.Typing.DYNAMIC);
    /** A parameter setter: {@code setX(int index, value…)}. */
    private static final ElementMatcher.Junction<MethodDescription> PARAMETER_SETTER =
            DELEGATED.and(nameStartsWith("set")).and(takesArgument(0, int.class)).and(not(takesArguments(1)));
    /** A statement setting: {@code setX(value)}. */
    private static final ElementMatcher.Junction<MethodDescription> SETTING = DELEGATED.and(nameStartsWith("set")).and(takesArguments(1));
    /**
     * A parameter setter whose values the application can change or that can be read only once:
     * streams, readers, byte[] and other arrays, dates, calendars, and setObject's Object.
     */
    private static final ElementMatcher.Junction<MethodDescription> SNAPSHOT_SETTER = PARAMETER_SETTER.and(
            method -> method.getParameters().asTypeList().asErasures().stream().anyMatch(Wrappers::mutableOrOnce));

    private static final MethodHandle CONNECTION = constructor(generate(DualwriteConnection.class, null),
            Connection.class, DatabaseRuntime.class);
    private static final MethodHandle STATEMENT = constructor(generate(DualwriteStatement.class, null),
            Statement.class, DualwriteConnection.class);
    private static final MethodHandle PREPARED = constructor(generate(DualwritePreparedStatement.class, null),
            PreparedStatement.class, DualwriteConnection.class);
    private static final MethodHandle REWRITING = constructor(generate(RewritingPreparedStatement.class, Recorder.class),
            DualwriteConnection.class, RewritePlan.class, MigrationRuntime.class, String.class, PrepareOptions.class);
    private static final MethodHandle REWRITING_CALL = constructor(generate(RewritingCallableStatement.class, Recorder.class),
            DualwriteConnection.class, RewritePlan.class, MigrationRuntime.class, String.class, PrepareOptions.class);
    private static final MethodHandle CALLABLE = constructor(generate(DualwriteCallableStatement.class, null),
            CallableStatement.class, DualwriteConnection.class);
    private static final MethodHandle RESULT_SET = constructor(generate(DualwriteResultSet.class, null),
            ResultSet.class, Statement.class);
    private static final MethodHandle UPDATABLE_RESULT_SET = constructor(generateUpdatable(),
            ResultSet.class, Statement.class, DualwriteConnection.class, MigrationRuntime.class, boolean.class, boolean.class);
    private static final MethodHandle READ_NEW_RESULT_SET = constructor(generate(ReadNewResultSet.class, null),
            ResultSet.class, Statement.class, PlainReadMetaData.class, String.class, boolean.class, MigrationRuntime.class,
            Rewrite.Origins.class);
    private static final MethodHandle PLAIN_READ_COLUMNS = constructor(generate(PlainReadColumns.class, null),
            PgResultSetMetaData.class, ResultSetMetaData.class);
    private static final MethodHandle HIDING_RESULT_SET = constructor(generateHiding(HidingResultSet.class),
            ResultSet.class, Statement.class, int.class);
    private static final MethodHandle HIDING_META_DATA = constructor(generateHiding(HidingMetaData.class),
            ResultSetMetaData.class, int.class);
    private static final MethodHandle TRANSLATED_RESULT_SET = constructor(generate(TranslatedResultSet.class, null),
            ResultSet.class, Statement.class, RecordedTypes.class, MigrationRuntime.class, Rewrite.Origins.class);
    private static final MethodHandle TRANSLATED_COLUMNS = constructor(generate(TranslatedColumns.class, null),
            ResultSetMetaData.class, MigrationSpec.class, SourceColumns.Column.class, ResultSetMetaData.class,
            Rewrite.Origins.class);
    private static final MethodHandle PARAMETER_FAN_OUT = constructor(generateFanOut(), PreparedStatement.class, int[][].class);
    private static final MethodHandle DATABASE_META_DATA = constructor(generateMetaData(),
            DatabaseMetaData.class, Connection.class);

    private Wrappers() {
    }

    static Connection connection(Connection physical, DatabaseRuntime database) throws SQLException {
        try {
            return (Connection) CONNECTION.invoke(physical, database);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Statement statement(Statement delegate, DualwriteConnection connection) {
        try {
            return (Statement) STATEMENT.invoke(delegate, connection);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static PreparedStatement preparedStatement(PreparedStatement delegate, DualwriteConnection connection) {
        try {
            return (PreparedStatement) PREPARED.invoke(delegate, connection);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static PreparedStatement rewritingPreparedStatement(DualwriteConnection connection, RewritePlan plan,
                                                        MigrationRuntime migration, String sql, PrepareOptions options)
            throws SQLException {
        try {
            return (PreparedStatement) REWRITING.invoke(connection, plan, migration, sql, options);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static CallableStatement rewritingCallableStatement(DualwriteConnection connection, RewritePlan plan,
                                                        MigrationRuntime migration, String sql, PrepareOptions options)
            throws SQLException {
        try {
            return (CallableStatement) REWRITING_CALL.invoke(connection, plan, migration, sql, options);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static CallableStatement callableStatement(CallableStatement delegate, DualwriteConnection connection) {
        try {
            return (CallableStatement) CALLABLE.invoke(delegate, connection);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The wrapper of {@code rs} for a pass-through statement: {@code last} when it already wraps it (JDBC asks the same
     * result set again through getResultSet), else a new one; null for null.
     */
    static DualwriteResultSet reuse(DualwriteResultSet last, ResultSet rs, Statement statement) {
        if (rs == null) {
            return null;
        }
        return last != null && last.delegate == rs ? last : resultSet(rs, statement);
    }

    static DualwriteResultSet resultSet(ResultSet delegate, Statement statement) {
        try {
            return (DualwriteResultSet) RESULT_SET.invoke(delegate, statement);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static ResultSet updatableResultSet(ResultSet delegate, Statement statement, DualwriteConnection connection,
                                        MigrationRuntime migration, boolean rowsOnly, boolean rewrittenRead) {
        try {
            return (ResultSet) UPDATABLE_RESULT_SET.invoke(delegate, statement, connection, migration, rowsOnly, rewrittenRead);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static ResultSet readNewResultSet(ResultSet delegate, Statement statement, PlainReadMetaData plain,
                                      String applicationSql, boolean prepared, MigrationRuntime migration,
                                      Rewrite.Origins origins) {
        try {
            return (ResultSet) READ_NEW_RESULT_SET.invoke(delegate, statement, plain, applicationSql, prepared, migration,
                    origins);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static ResultSetMetaData plainReadColumns(PgResultSetMetaData described, ResultSetMetaData received) {
        try {
            return (ResultSetMetaData) PLAIN_READ_COLUMNS.invoke(described, received);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static ResultSet hidingResultSet(ResultSet delegate, Statement statement, int visible) {
        try {
            return (ResultSet) HIDING_RESULT_SET.invoke(delegate, statement, visible);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static ResultSetMetaData hidingMetaData(ResultSetMetaData delegate, int visible) {
        try {
            return (ResultSetMetaData) HIDING_META_DATA.invoke(delegate, visible);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static ResultSet translatedResultSet(ResultSet delegate, Statement statement, RecordedTypes types,
                                         MigrationRuntime migration, Rewrite.Origins origins) {
        try {
            return (ResultSet) TRANSLATED_RESULT_SET.invoke(delegate, statement, types, migration, origins);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static ResultSetMetaData translatedColumns(ResultSetMetaData received, MigrationSpec spec, SourceColumns.Column old,
                                               ResultSetMetaData type, Rewrite.Origins origins) {
        try {
            return (ResultSetMetaData) TRANSLATED_COLUMNS.invoke(received, spec, old, type, origins);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static PreparedStatement parameterFanOut(PreparedStatement target, int[][] markers) {
        try {
            return (PreparedStatement) PARAMETER_FAN_OUT.invoke(target, markers);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static DatabaseMetaData databaseMetaData(DatabaseMetaData delegate, Connection connection) {
        try {
            return (DatabaseMetaData) DATABASE_META_DATA.invoke(delegate, connection);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Records setter calls of a {@link RewritingPreparedStatement}: parameter setters
     * ({@code setX(int index, value…)}) and statement settings ({@code setX(value)}) before they
     * are delegated; setters of values that can change or be read only once are bound here, as
     * a snapshot ({@link ParameterLog#bind}), instead of being delegated.
     */
    public static final class Recorder {
        private Recorder() {
        }

        public static void parameter(@This RewritingPreparedStatement self, @Origin Method method, @AllArguments Object[] args) {
            self.log().parameter(method, args);
        }

        public static void bind(@This RewritingPreparedStatement self, @Origin Method method, @AllArguments Object[] args)
                throws SQLException {
            self.bind(method, args);
        }

        public static void setting(@This RewritingPreparedStatement self, @Origin Method method, @AllArguments Object[] args) {
            self.log().setting(method, args);
        }
    }

    /**
     * {@code unwrap} and {@code isWrapperFor} of every wrapper: the wrapper itself answers for its
     * own types (so {@code unwrap(Connection.class)} keeps the application on the wrapper), the
     * delegate for the rest ({@code unwrap(PGConnection.class)} reaches PgJDBC).
     */
    public static final class WrapperMethods {
        private WrapperMethods() {
        }

        public static Object unwrap(@This Object self, @FieldValue("delegate") Wrapper delegate, @Argument(0) Class<?> iface)
                throws SQLException {
            return iface.isInstance(self) ? self : delegate.unwrap(iface);
        }

        public static boolean isWrapperFor(@This Object self, @FieldValue("delegate") Wrapper delegate, @Argument(0) Class<?> iface)
                throws SQLException {
            return iface.isInstance(self) || delegate.isWrapperFor(iface);
        }
    }

    /**
     * A subclass of {@code wrapper} whose abstract and default methods call the delegate, and which unwraps. Its
     * {@code toString} is the delegate's too, unless the wrapper writes its own: loggers and ORMs print statements
     * (PgJDBC's PreparedStatement prints its SQL with the values bound), and the application should read there what
     * PgJDBC prints, not the wrapper's class name. Computed only when asked: nothing per execution.
     */
    private static DynamicType.Builder<?> delegating(Class<?> wrapper) {
        return new ByteBuddy()
                .subclass(wrapper, ConstructorStrategy.Default.IMITATE_SUPER_CLASS_OPENING)
                .name(wrapper.getName() + "$Generated")
                .method(DELEGATED).intercept(DELEGATE_CALL)
                .method(named("toString").and(takesArguments(0)).and(isDeclaredBy(Object.class))).intercept(DELEGATE_CALL)
                .method(DELEGATED.and(namedOneOf("unwrap", "isWrapperFor"))).intercept(MethodDelegation.to(WrapperMethods.class));
    }

    private static Class<?> generate(Class<?> wrapper, Class<?> recorder) {
        var builder = delegating(wrapper);
        if (recorder != null) {
            // a later match wins: SNAPSHOT_SETTER narrows PARAMETER_SETTER
            builder = builder
                    .method(PARAMETER_SETTER)
                    .intercept(MethodDelegation.withDefaultConfiguration().filter(named("parameter"))
                            .to(recorder).andThen(PARAMETER_CALL))
                    .method(SNAPSHOT_SETTER)
                    .intercept(MethodDelegation.withDefaultConfiguration().filter(named("bind")).to(recorder))
                    .method(SETTING)
                    .intercept(MethodDelegation.withDefaultConfiguration().filter(named("setting"))
                            .to(recorder).andThen(DELEGATE_CALL));
        }
        return load(builder, wrapper);
    }

    /** A delegating DatabaseMetaData whose result sets go through {@link DualwriteDatabaseMetaData#shown}. */
    private static Class<?> generateMetaData() {
        try {
            return load(delegating(DualwriteDatabaseMetaData.class).method(DELEGATED.and(returns(ResultSet.class)))
                    .intercept(MethodCall.invoke(DualwriteDatabaseMetaData.class.getDeclaredMethod("shown", ResultSet.class))
                            .withMethodCall(MethodCall.invokeSelf().onField("delegate").withAllArguments())),
                    DualwriteDatabaseMetaData.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A delegating subclass whose methods taking a column (index or label) first call
     * {@link HidingResultSet.Guard}: {@code index}/{@code label} for result sets, {@code metaIndex}
     * for metadata. Cursor-movement and fetch settings also take an int first: those are plain delegation.
     */
    private static Class<?> generateHiding(Class<?> wrapper) {
        ElementMatcher.Junction<MethodDescription> byIndex = DELEGATED.and(takesArgument(0, int.class))
                .and(not(namedOneOf("absolute", "relative", "setFetchDirection", "setFetchSize")));
        boolean meta = wrapper == HidingMetaData.class;
        var builder = delegating(wrapper)
                .method(byIndex)
                .intercept(MethodDelegation.withDefaultConfiguration().filter(named(meta ? "metaIndex" : "index"))
                        .to(HidingResultSet.Guard.class).andThen(DELEGATE_CALL));
        if (!meta) {
            builder = builder.method(DELEGATED.and(takesArgument(0, String.class)))
                    .intercept(MethodDelegation.withDefaultConfiguration().filter(named("label"))
                            .to(HidingResultSet.Guard.class).andThen(DELEGATE_CALL));
        }
        return load(builder, wrapper);
    }

    /** {@link ParameterFanOut}: parameter setters fan out; nothing else is ever called on it. */
    private static Class<?> generateFanOut() {
        var builder = new ByteBuddy()
                .subclass(ParameterFanOut.class, ConstructorStrategy.Default.IMITATE_SUPER_CLASS_OPENING)
                .name(ParameterFanOut.class.getName() + "$Generated")
                .method(isAbstract()).intercept(ExceptionMethod.throwing(UnsupportedOperationException.class,
                        "a parameter fan-out only binds parameters"))
                .method(PARAMETER_SETTER).intercept(MethodDelegation.to(ParameterFanOut.Fan.class));
        return load(builder, ParameterFanOut.class);
    }

    /** {@link UpdatableResultSet}: every {@code updateX} of a column asks its guard first. */
    private static Class<?> generateUpdatable() {
        var builder = delegating(UpdatableResultSet.class)
                .method(DELEGATED.and(nameStartsWith("update")).and(takesArgument(0, int.class).or(takesArgument(0, String.class))))
                .intercept(MethodDelegation.withDefaultConfiguration().filter(named("check"))
                        .to(UpdatableResultSet.Guard.class).andThen(DELEGATE_CALL));
        return load(builder, UpdatableResultSet.class);
    }

    private static boolean mutableOrOnce(TypeDescription type) {
        return type.isArray() || type.represents(Object.class) || type.isAssignableTo(InputStream.class)
                || type.isAssignableTo(Reader.class) || type.isAssignableTo(Date.class) || type.isAssignableTo(Calendar.class);
    }

    private static Class<?> load(DynamicType.Builder<?> builder, Class<?> wrapper) {
        try {
            return builder.make()
                    .load(wrapper.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(
                            MethodHandles.privateLookupIn(wrapper, MethodHandles.lookup())))
                    .getLoaded();
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static MethodHandle constructor(Class<?> generated, Class<?>... parameters) {
        try {
            return MethodHandles.lookup().findConstructor(generated, MethodType.methodType(void.class, parameters));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
