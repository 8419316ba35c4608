package io.dualwrite.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test method a fresh {@link TestDatabase} on the JVM's {@link PostgresServer}:
 * declare a {@code TestDatabase} parameter on the test method (or on {@code @BeforeEach}, which
 * receives the same database as the test).
 */
public final class PostgresExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) throws ParameterResolutionException {
        // @BeforeEach and the test method share one context, hence one database
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(
                key(context), k -> PostgresServer.get().createDatabase(), TestDatabase.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestDatabase db = context.getStore(NAMESPACE).remove(key(context), TestDatabase.class);
        if (db != null) {
            db.close();
        }
    }

    private static String key(ExtensionContext context) {
        return "db:" + context.getUniqueId();
    }
}
