package io.dualwrite.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class InterleavedRatiosTest {

    @Test
    void theIntervalIsTheOrderStatisticsAroundTheMedian() {
        double[] values = new double[30];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i * 7) % 30 + 1; // 1..30, shuffled
        }
        assertThat(InterleavedRatios.medianInterval(values)).containsExactly(9, 15.5, 22);
    }

    /** Skewed, heavy-tailed per-round ratios (what a noisy host gives): the interval still holds the median ~95 % of the time. */
    @Test
    void theIntervalHoldsTheTrueMedianAboutNineteenTimesInTwenty() {
        Random rnd = new Random(15);
        double trueMedian = Math.exp(0); // of exp(N(0, 0.3)) · (1 + a rare stall)
        int trials = 4000, held = 0;
        for (int t = 0; t < trials; t++) {
            double[] ratios = new double[30];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = Math.exp(rnd.nextGaussian() * 0.3) * (rnd.nextInt(20) == 0 ? 1.5 : 1) / (rnd.nextInt(20) == 0 ? 1.5 : 1);
            }
            double[] ci = InterleavedRatios.medianInterval(ratios);
            if (ci[0] <= trueMedian && trueMedian <= ci[2]) {
                held++;
            }
        }
        assertThat(held / (double) trials).isBetween(0.93, 0.99);
    }
}
