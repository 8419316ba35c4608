package io.dualwrite.control.phase;

import java.sql.SQLException;
import java.util.List;

/**
 * A phase move the state machine refused, or whose gates do not hold. Nothing was changed. SQLState
 * {@code 55000} (object not in prerequisite state): the caller can tell it from a database error.
 */
public final class PhaseRefusedException extends SQLException {

    private final transient List<String> unmet;

    PhaseRefusedException(String message, List<String> unmet) {
        super(message, "55000");
        this.unmet = List.copyOf(unmet);
    }

    /** The gates that did not hold, one line each (empty when the move itself is refused). */
    public List<String> unmet() {
        return unmet;
    }
}
