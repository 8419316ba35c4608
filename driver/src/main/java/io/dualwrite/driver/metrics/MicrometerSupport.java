package io.dualwrite.driver.metrics;

/**
 * Binds the driver's meters to Micrometer's global registry when Micrometer is on the classpath, and does
 * nothing otherwise. Micrometer is an optional dependency: this class names none of its types, and the classes
 * that do ({@link DualwriteMetrics}, {@link MigrationMeters}) are loaded only after the check, so without
 * Micrometer no class of it is ever looked up.
 */
public final class MicrometerSupport {

    /** System property: {@code false} keeps the meters off the global registry (bind {@link DualwriteMetrics} yourself). */
    public static final String GLOBAL_PROPERTY = "dualwrite.metrics.global";

    private static final String PROBE = "io.micrometer.core.instrument.MeterRegistry";

    private MicrometerSupport() {
    }

    public static void bindGlobalRegistryIfPresent() {
        if (Boolean.parseBoolean(System.getProperty(GLOBAL_PROPERTY, "true")) && present()) {
            DualwriteMetrics.bindToGlobalRegistry();
        }
    }

    /** Whether Micrometer is visible to the driver's own class loader (the one that would link the meters). */
    static boolean present() {
        try {
            Class.forName(PROBE, false, MicrometerSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
