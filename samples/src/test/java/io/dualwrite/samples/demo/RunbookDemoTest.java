package io.dualwrite.samples.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test: the whole runbook demo, to CONTRACTED and back, on 5,000 users with short phases. */
class RunbookDemoTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void runbookReachesContractedAndBackWithEveryParityGateAtZero() throws Exception {
        RunbookDemo.Result r = RunbookDemo.run(new RunbookDemo.Options(5_000, 4, Duration.ofMillis(1500), 1000, 2000));

        assertThat(r.failures()).as("failed checks").isEmpty();
        assertThat(r.firstParityExit()).as("parity after backfill (exit code)").isZero();
        assertThat(r.secondParityExit()).as("parity in READ_NEW (exit code)").isZero();
        assertThat(r.afterRollbackParityExit()).as("parity after the rollback after the drop (exit code)").isZero();
        assertThat(r.appRanThroughout()).as("legacy app ran throughout").isTrue();
        assertThat(r.appOperations()).as("legacy app operations").isPositive();
        assertThat(r.appUnexpectedErrors()).as("unexpected application errors").isZero();
        assertThat(r.success()).isTrue();
    }
}
