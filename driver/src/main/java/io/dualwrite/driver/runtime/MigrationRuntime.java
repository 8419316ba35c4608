package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.Phase;

import java.util.concurrent.atomic.LongAdder;

/**
 * The in-memory state of one migration in this JVM: the phase every connection applies right now,
 * and the counters JMX shows. Reading the phase is one volatile read; counting is a LongAdder,
 * so the statement path takes no lock.
 */
public final class MigrationRuntime {

    private final MigrationSpec spec;
    private volatile Phase phase;

    final LongAdder statementsRewritten = new LongAdder();
    final LongAdder dualWrites = new LongAdder();
    final LongAdder readsRewritten = new LongAdder();
    final LongAdder rejectedStatements = new LongAdder();

    MigrationRuntime(MigrationSpec spec, Phase phase) {
        this.spec = spec;
        this.phase = phase;
    }

    public MigrationSpec spec() {
        return spec;
    }

    public Phase phase() {
        return phase;
    }

    void phase(Phase phase) {
        this.phase = phase;
    }

    public void countDualWrite() {
        statementsRewritten.increment();
        dualWrites.increment();
    }

    public void countReadRewritten() {
        statementsRewritten.increment();
        readsRewritten.increment();
    }

    public void countRejected() {
        rejectedStatements.increment();
    }

    public long statementsRewritten() {
        return statementsRewritten.sum();
    }

    public long dualWrites() {
        return dualWrites.sum();
    }

    public long readsRewritten() {
        return readsRewritten.sum();
    }

    public long rejectedStatements() {
        return rejectedStatements.sum();
    }
}
