package io.dualwrite.migrator.cli;

import io.dualwrite.migrator.UsageException;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The connection opened while picocli parses: handed over once, and only for the settings it was opened with. */
@ExtendWith(PostgresExtension.class)
class EarlyConnectionTest {

    private static String applicationName(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW application_name")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String password(TestDatabase db) {
        return db.password() == null ? "" : db.password();
    }

    @Test
    void theCommandsFirstConnectionIsTakenOnce(TestDatabase db) throws Exception {
        String password = password(db);
        EarlyConnection.start(new String[] {"status", "--url", db.jdbcUrl(), "--user=" + db.user(), "--json"},
                Map.of("PGPASSWORD", password));
        assertThat(EarlyConnection.take(db.jdbcUrl(), db.user(), password, "dualwrite-parity")).as("another name").isNull();
        assertThat(EarlyConnection.take(db.jdbcUrl(), "someone", password, "dualwrite-status")).as("another user").isNull();
        try (Connection c = EarlyConnection.take(db.jdbcUrl(), db.user(), password, "dualwrite-status")) {
            assertThat(c).isNotNull();
            assertThat(applicationName(c)).isEqualTo("dualwrite-status");
        }
        assertThat(EarlyConnection.take(db.jdbcUrl(), db.user(), password, "dualwrite-status")).as("only once").isNull();
    }

    @Test
    void nothingIsOpenedForHelpOrWithoutAUrl(TestDatabase db) {
        String password = password(db);
        Map<String, String> env = Map.of("PGUSER", db.user(), "PGPASSWORD", password);
        for (String[] args : new String[][] {{"status", "--url", db.jdbcUrl(), "--help"}, {"--help"}, {"status"},
                {"help", "status", "--url", db.jdbcUrl()}}) {
            EarlyConnection.start(args, env);
            assertThat(EarlyConnection.take(db.jdbcUrl(), db.user(), password, "dualwrite-status")).as(String.join(" ", args)).isNull();
        }
    }

    /** Reported as the command's own attempt reports it, so a server that does not answer is not waited for twice. */
    @Test
    void aFailedAttemptIsTheCommandsFailure() {
        String url = "jdbc:postgresql://127.0.0.1:1/nothing";
        EarlyConnection.start(new String[] {"status", "--url=" + url}, Map.of());
        assertThatThrownBy(() -> EarlyConnection.take(url, null, null, "dualwrite-status")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("could not connect to " + url).hasMessageContaining("Check --url");
    }
}
