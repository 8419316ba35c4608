package io.dualwrite.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU seconds from Linux's /proc (NaN elsewhere): of the child processes this JVM has waited for, or of a local
 * PostgreSQL server (the postmaster, every process it runs now, and every backend it has reaped: a CLI's backends end
 * with the CLI, and their CPU then counts in the postmaster's children's time).
 */
final class ProcCpu {

    /** Clock ticks a second of /proc's times: USER_HZ, 100 on every Linux build in use. */
    private static final double TICKS = 100;

    private final long postmaster;

    private ProcCpu(long postmaster) {
        this.postmaster = postmaster;
    }

    /** The server that runs the backend {@code backendPid} (its parent is the postmaster). */
    static ProcCpu server(long backendPid) {
        long[] f = stat(backendPid);
        return new ProcCpu(f == null ? -1 : f[0]);
    }

    /** CPU seconds of the server so far. */
    double seconds() {
        long[] pm = stat(postmaster);
        if (pm == null) {
            return Double.NaN;
        }
        long ticks = pm[1] + pm[2] + pm[3] + pm[4];
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long[] f = stat(Long.parseLong(name));
                    if (f != null && f[0] == postmaster) {
                        ticks += f[1] + f[2];
                    }
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return ticks / TICKS;
    }

    /** CPU seconds of this JVM's waited-for children (user and system). */
    static double children() {
        long[] f = stat(ProcessHandle.current().pid());
        return f == null ? Double.NaN : (f[3] + f[4]) / TICKS;
    }

    /** ppid, utime, stime, cutime, cstime of a process, or null. */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name may hold spaces and parentheses: the fields start after the last ')'
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
