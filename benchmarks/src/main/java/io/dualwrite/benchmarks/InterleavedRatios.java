package io.dualwrite.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --interleaved}: the ratio targets of {@link Targets} whose two sides are variants of one benchmark method
 * ({@code Class.method[variant=x]}), measured so that a change of the host's load cannot pass for a difference. JMH runs
 * each variant in its own fork, minutes after the previous one; on this virtual machine, whose neighbours' load drifts
 * over minutes, the same comparison then swung ±30–50 % between runs. Here every variant of a method is set up at once in
 * this JVM, with the benchmark class's own {@code @Setup}, and the variants take turns in short slices ({@value #SLICE_MS}
 * ms of measured calls each; the order rotates every round). Each ratio is the median of its per-round ratios, given with
 * a 95 % confidence interval of that median (order statistics: no assumption on the distribution).
 */
final class InterleavedRatios {

    static final long SLICE_MS = 150;
    private static final Pattern KEY = Pattern.compile("(\\w+)\\.(\\w+)\\[variant=(\\w+)]");

    /** One benchmark method and the variants the targets compare; per round, each variant's mean µs per call. */
    private record Family(Class<?> type, String method, List<String> variants, double[][] micros) {
        String name() {
            return type.getSimpleName() + "." + method;
        }
    }

    private final int rounds;
    private final int warmupRounds;
    private final Map<String, Family> families = new LinkedHashMap<>();
    private final List<Compared> ratios = new ArrayList<>();

    /** A target's ratio, read as a family ({@code Class.method}) and its two variants. */
    private record Compared(Report.Ratio ratio, String family, String candidate, String baseline) {
    }

    InterleavedRatios(int rounds, int warmupRounds, Pattern include) {
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        Map<String, Set<String>> variants = new LinkedHashMap<>();
        for (Report.Ratio r : Targets.RATIOS) {
            Matcher c = KEY.matcher(r.candidate()), b = KEY.matcher(r.baseline());
            if (!c.matches() || !b.matches() || !c.group(1).equals(b.group(1)) || !c.group(2).equals(b.group(2))
                    || !include.matcher(c.group(1) + "." + c.group(2)).find()) {
                continue;
            }
            String family = c.group(1) + "." + c.group(2);
            ratios.add(new Compared(r, family, c.group(3), b.group(3)));
            Set<String> v = variants.computeIfAbsent(family, k -> new LinkedHashSet<>());
            v.add(c.group(3));
            v.add(b.group(3));
        }
        variants.forEach((name, v) -> {
            String[] parts = name.split("\\.");
            try {
                Class<?> type = Class.forName(InterleavedRatios.class.getPackageName() + "." + parts[0]);
                families.put(name, new Family(type, parts[1], List.copyOf(v), new double[v.size()][rounds]));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Runs every family (one after the other), returns the Markdown section. */
    String run() throws Exception {
        long t0 = System.nanoTime();
        for (Family f : families.values()) {
            measure(f);
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d rounds after %d unmeasured, slices of %d ms, %.1f min in all. Median of the"
                + " per-round ratios; the interval is a 95 %% confidence interval of that median.%n%n", rounds, warmupRounds,
                SLICE_MS, (System.nanoTime() - t0) / 60e9));
        md.append("| group | ratio | median | 95 % interval | target | verdict | candidate µs/op | baseline µs/op |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Compared x : ratios) {
            Report.Ratio r = x.ratio();
            Family f = families.get(x.family());
            double[] num = f.micros()[f.variants().indexOf(x.candidate())], den = f.micros()[f.variants().indexOf(x.baseline())];
            double[] perRound = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                perRound[i] = num[i] / den[i];
            }
            double[] ci = medianInterval(perRound);
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3f× | %.3f–%.3f | %s | %s | %.1f | %.1f |%n", r.group(), r.label(),
                    ci[1], ci[0], ci[2], r.targetText() == null ? "report" : r.targetText(), verdict(r.target(), ci),
                    median(num), median(den)));
        }
        return md.toString();
    }

    private void measure(Family f) throws Exception {
        Method method = Arrays.stream(f.type().getMethods())
                .filter(m -> m.getName().equals(f.method()) && m.isAnnotationPresent(Benchmark.class)).findFirst().orElseThrow();
        int n = f.variants().size();
        Object[] states = new Object[n];
        Object[] arguments = new Object[n];
        try {
            for (int v = 0; v < n; v++) {
                states[v] = f.type().getConstructor().newInstance();
                f.type().getField("variant").set(states[v], f.variants().get(v));
                invoke(states[v], Setup.class, null);
                // a per-call state (a row to delete) is prepared before each call, outside the measurement
                arguments[v] = method.getParameterCount() == 0 ? null : method.getParameterTypes()[0].getConstructor().newInstance();
            }
            System.out.printf("%s: %s, %d rounds%n", f.name(), f.variants(), rounds);
            for (int round = -warmupRounds; round < rounds; round++) {
                for (int i = 0; i < n; i++) {
                    int v = Math.floorMod(round + i, n);
                    double micros = slice(method, states[v], arguments[v]);
                    if (round >= 0) {
                        f.micros()[v][round] = micros;
                    }
                }
            }
        } finally {
            for (Object s : states) {
                if (s != null) {
                    invoke(s, TearDown.class, null);
                }
            }
        }
    }

    /** Calls the benchmark method for {@value #SLICE_MS} ms of measured time; returns the mean µs per call. */
    private static double slice(Method method, Object state, Object argument) throws Exception {
        long measured = 0, calls = 0, budget = SLICE_MS * 1_000_000;
        while (measured < budget) {
            if (argument != null) {
                invoke(argument, Setup.class, state);
            }
            long t = System.nanoTime();
            try {
                if (argument == null) {
                    method.invoke(state);
                } else {
                    method.invoke(state, argument);
                }
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
            measured += System.nanoTime() - t;
            calls++;
        }
        return measured / 1e3 / calls;
    }

    /** Invokes the state's methods that carry {@code annotation} (a trial's, or with {@code outer} an invocation's). */
    private static void invoke(Object target, Class<? extends java.lang.annotation.Annotation> annotation, Object outer)
            throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (!m.isAnnotationPresent(annotation)) {
                continue;
            }
            Level level = annotation == Setup.class ? m.getAnnotation(Setup.class).value() : m.getAnnotation(TearDown.class).value();
            if ((outer == null) != (level == Level.Trial)) {
                continue;
            }
            try {
                if (m.getParameterCount() == 0) {
                    m.invoke(target);
                } else {
                    m.invoke(target, outer);
                }
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * {lower, median, upper}: the order statistics at ranks n/2 ∓ 0.98·√n (1-based, the binomial's normal
     * approximation), which hold the median with about 95 % probability for any continuous distribution.
     */
    static double[] medianInterval(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        double half = 0.98 * Math.sqrt(n);
        int lo = Math.max(1, (int) Math.floor(n / 2.0 - half)), hi = Math.min(n, (int) Math.ceil(n / 2.0 + 1 + half));
        return new double[] {s[lo - 1], median(s), s[hi - 1]};
    }

    private static String verdict(Double target, double[] ci) {
        if (target == null) {
            return "—";
        }
        String by = String.format(Locale.ROOT, "%+.1f%%", (ci[1] / target - 1) * 100);
        if (ci[1] <= target) {
            return ci[2] <= target ? "met" : "met (interval reaches " + String.format(Locale.ROOT, "%.3f", ci[2]) + ")";
        }
        return ci[0] <= target ? "**missed by " + by + "** (interval reaches the target)" : "**missed by " + by + "**";
    }
}
