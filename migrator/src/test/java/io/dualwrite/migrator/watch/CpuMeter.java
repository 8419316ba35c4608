package io.dualwrite.migrator.watch;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

/**
 * CPU seconds spent by this JVM and by one PostgreSQL server (the postmaster, its live children and the children it
 * reaped), from /proc (Linux). On a machine shared with other builds, CPU per write is a steadier price than
 * throughput: other processes' load changes how fast the writers go, not what a write costs.
 */
final class CpuMeter {

    /** USER_HZ: the unit of /proc's CPU times (100 on every Linux this runs on). */
    private static final double TICKS = 100.0;

    private final long postmaster;

    private CpuMeter(long postmaster) {
        this.postmaster = postmaster;
    }

    /** Null where /proc is not there to read. */
    static CpuMeter of(WatchHarness h) throws SQLException {
        try (Connection c = h.db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            String[] stat = stat(rs.getLong(1)); // read while the backend lives: its parent is the postmaster
            return stat == null ? null : new CpuMeter(Long.parseLong(stat[1]));
        }
    }

    double seconds() throws IOException {
        double jvm = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
        String[] pm = stat(postmaster);
        double server = pm == null ? 0 : ticks(pm, 11) + ticks(pm, 12) + ticks(pm, 13) + ticks(pm, 14);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    String[] s = stat(Long.parseLong(name));
                    if (s != null && Long.parseLong(s[1]) == postmaster) {
                        server += ticks(s, 11) + ticks(s, 12);
                    }
                }
            }
        }
        return jvm + server;
    }

    /** CPU seconds of one live process (a backend, the walsender), 0 when it is gone. */
    static double processSeconds(long pid) {
        String[] s = stat(pid);
        return s == null ? 0 : ticks(s, 11) + ticks(s, 12);
    }

    private static double ticks(String[] stat, int field) {
        return Long.parseLong(stat[field]) / TICKS;
    }

    /** /proc/PID/stat after the command name: [0] state, [1] ppid, … [11] utime, [12] stime, [13] cutime, [14] cstime. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
