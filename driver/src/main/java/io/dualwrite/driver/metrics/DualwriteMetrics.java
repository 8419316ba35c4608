package io.dualwrite.driver.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The driver's Micrometer meters, for every migration the driver loads in this JVM, now or later, tagged
 * {@code migration=<table>.<column>}. The driver binds them to {@link Metrics#globalRegistry} by itself when
 * Micrometer is on the classpath ({@link MicrometerSupport}; Spring Boot adds its registry to the global one by
 * default); an application that keeps its registry apart binds them explicitly:
 * <pre>{@code new DualwriteMetrics().bindTo(registry);}</pre>
 * or, in Spring, declares a {@code DualwriteMetrics} bean (Boot binds every {@code MeterBinder} bean).
 */
public final class DualwriteMetrics implements MeterBinder {

    @Override
    public void bindTo(MeterRegistry registry) {
        KnownMigrations.subscribe(migration -> MigrationMeters.register(registry, migration));
    }

    /** Only called once Micrometer is known to be present: loading this class needs it. */
    static void bindToGlobalRegistry() {
        new DualwriteMetrics().bindTo(Metrics.globalRegistry);
    }
}
