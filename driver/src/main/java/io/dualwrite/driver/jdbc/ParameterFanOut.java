package io.dualwrite.driver.jdbc;

import net.bytebuddy.implementation.bind.annotation.AllArguments;
import net.bytebuddy.implementation.bind.annotation.Origin;
import net.bytebuddy.implementation.bind.annotation.This;

import java.lang.reflect.Method;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.text.MessageFormat;

/**
 * Where the application's parameter setters go while its statement holds a rewrite that moves or
 * repeats parameters ({@code Rewrite.Rewritten#parameterSources}): {@code setX(i, v)} binds
 * {@code v} on every marker of the rewritten SQL that takes application parameter {@code i}.
 * Only parameter setters are generated ({@link Wrappers}); a rewrite without a map binds the
 * delegate directly and never meets this class.
 */
public abstract class ParameterFanOut implements PreparedStatement {

    /** PgJDBC's message for a parameter index outside the statement, SQLState 22023. */
    private static final String OUT_OF_RANGE = "The column index is out of range: {0}, number of columns: {1}.";

    private final PreparedStatement target;
    /** For application parameter i (index i), the 1-based markers of the target's SQL that take it. */
    private final int[][] markers;

    protected ParameterFanOut(PreparedStatement target, int[][] markers) {
        this.target = target;
        this.markers = markers;
    }

    /** For each application parameter, the markers taking it, from the rewrite's sources; its length is one more than their count. */
    static int[][] markersOf(int[] sources) {
        int count = 0;
        for (int s : sources) {
            count = Math.max(count, s);
        }
        int[] sizes = new int[count + 1];
        for (int s : sources) {
            sizes[s]++;
        }
        int[][] markers = new int[count + 1][];
        for (int i = 0; i <= count; i++) {
            markers[i] = new int[sizes[i]];
            sizes[i] = 0;
        }
        for (int j = 0; j < sources.length; j++) {
            int s = sources[j];
            markers[s][sizes[s]++] = j + 1;
        }
        return markers;
    }

    /** The number of the application's parameters. */
    int applicationParameters() {
        return markers.length - 1;
    }

    /** The first marker of the target's SQL taking application parameter {@code index}, or 0 when none does. */
    int firstMarker(int index) {
        return index >= 1 && index < markers.length && markers[index].length > 0 ? markers[index][0] : 0;
    }

    /**
     * Binds a recorded setter call ({@link BoundValues#snapshot}) on each marker taking its
     * parameter, each with its own fresh stream or reader over the recorded bytes: a value used
     * twice is sent twice, and no marker reads a stream another one consumed.
     */
    void bindEach(Method setter, Object[] frozen) throws SQLException {
        for (int marker : markersFor(frozen)) {
            Object[] moved = BoundValues.forBinding(frozen);
            moved = moved == frozen ? frozen.clone() : moved;
            moved[0] = marker;
            ParameterLog.invoke(setter, target, moved);
        }
    }

    private int[] markersFor(Object[] args) throws SQLException {
        int index = (Integer) args[0];
        if (index < 1 || index >= markers.length) {
            throw new SQLException(MessageFormat.format(OUT_OF_RANGE, index, markers.length - 1), "22023");
        }
        return markers[index];
    }

    /** The generated parameter setters (immutable values: stream and array setters are recorded and come through {@link #bindEach}). */
    public static final class Fan {
        private Fan() {
        }

        public static void set(@This ParameterFanOut self, @Origin Method setter, @AllArguments Object[] args)
                throws SQLException {
            for (int marker : self.markersFor(args)) {
                Object[] moved = args.clone();
                moved[0] = marker;
                ParameterLog.invoke(setter, self.target, moved);
            }
        }
    }
}
