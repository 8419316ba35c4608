package io.dualwrite.samples.boot;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The application at work while the runbook runs: one thread looping sign-up, read back, versioned email change,
 * find by email, sometimes delete; each answer checked against what it just wrote. Any exception or wrong answer
 * is kept (the first one) and counted.
 */
final class AppTraffic implements Runnable {

    private final UserService users;
    private final LongAdder operations = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final Thread thread = new Thread(this, "boot-sample-traffic");
    private volatile boolean running = true;

    AppTraffic(UserService users) {
        this.users = users;
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(60_000);
    }

    long operations() {
        return operations.sum();
    }

    long failures() {
        return failures.sum();
    }

    String firstFailure() {
        return firstFailure.get();
    }

    @Override
    public void run() {
        for (long n = 0; running; n++) {
            try {
                once(n);
            } catch (RuntimeException e) {
                fail(n + ": " + e);
            }
        }
    }

    private void once(long n) {
        String email = "traffic" + n + "@example.com";
        long id = users.signUp("traffic " + n, email);
        Optional<User> read = users.find(id);
        expect(read.isPresent() && email.equals(read.get().getEmail()), "user " + id + " reads back " + email);
        String changed = n % 5 == 0 ? null : "Traffic" + n + "@Example.org";
        long version = users.changeEmail(id, read.get().getVersion(), changed);
        expect(version == read.get().getVersion() + 1, "user " + id + " version bumped by one");
        if (changed != null) {
            Optional<User> found = users.findByEmail(changed);
            expect(found.isPresent() && found.get().getId() == id, "find by " + changed + " gives user " + id);
        }
        expect(users.findByEmail(email).isEmpty(), "the old address " + email + " finds nobody");
        if (n % 3 == 0) {
            users.delete(id);
            expect(users.find(id).isEmpty(), "user " + id + " deleted");
        }
        operations.increment();
    }

    private void expect(boolean holds, String what) {
        if (!holds) {
            throw new IllegalStateException("wrong answer: expected " + what);
        }
    }

    private void fail(String what) {
        failures.increment();
        firstFailure.compareAndSet(null, what);
    }
}
