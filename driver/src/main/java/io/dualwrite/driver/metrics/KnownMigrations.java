package io.dualwrite.driver.metrics;

import io.dualwrite.driver.runtime.MigrationRuntime;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every migration name this JVM's driver has loaded, each following the runtime most recently loaded under
 * that name (as the JMX bean does: a JVM may reach several databases holding a migration of the same name).
 * Knows nothing of Micrometer, so the driver feeds it whether or not Micrometer is on the classpath.
 */
public final class KnownMigrations {

    /** One migration name; meters read the counters of {@link #current()} at each scrape. */
    public static final class Followed {
        private final String name;
        private volatile MigrationRuntime current;
        /** A meter registry reads this migration's times: every runtime loaded under its name times its statements. */
        private volatile boolean metered;

        private Followed(String name, MigrationRuntime current) {
            this.name = name;
            this.current = current;
        }

        public String name() {
            return name;
        }

        public MigrationRuntime current() {
            return current;
        }

        /** A meter registry now reads this migration's times. */
        void metered() {
            metered = true;
            current.rewriteTime().readFromNowOn();
        }
    }

    private static final ConcurrentMap<String, Followed> BY_NAME = new ConcurrentHashMap<>();
    private static final List<Consumer<Followed>> SUBSCRIBERS = new CopyOnWriteArrayList<>();

    private KnownMigrations() {
    }

    /** A migration the driver just loaded for the first time in one of its databases. */
    public static void loaded(MigrationRuntime migration) {
        boolean[] created = {false};
        Followed followed = BY_NAME.computeIfAbsent(migration.spec().name(), name -> {
            created[0] = true;
            return new Followed(name, migration);
        });
        followed.current = migration;
        // volatile write then read, as metered() does in the other order: a runtime loaded while a registry is
        // being bound is switched on by one of the two
        if (followed.metered) {
            migration.rewriteTime().readFromNowOn();
        }
        if (created[0]) {
            SUBSCRIBERS.forEach(s -> s.accept(followed));
        }
    }

    /** The migration of that name as this JVM follows it, or null when the driver has not loaded it. */
    public static Followed named(String name) {
        return BY_NAME.get(name);
    }

    /**
     * Tells {@code subscriber} of every migration name known now and of each one loaded later. A name loaded
     * while this runs may be told twice; registering a meter twice returns the first one, so that is harmless.
     */
    static void subscribe(Consumer<Followed> subscriber) {
        SUBSCRIBERS.add(subscriber);
        BY_NAME.values().forEach(subscriber);
    }
}
