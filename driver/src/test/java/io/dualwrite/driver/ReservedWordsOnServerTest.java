package io.dualwrite.driver;

import io.dualwrite.rewriter.lexer.ReservedWords;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rewriter's list of words that can never be an unquoted table or column name is the server's own
 * ({@code pg_get_keywords()}, categories R and T): a word missing would let the keyword FROM pass for a column
 * called "from"; a word too many would hide a real column reference from the rewrite. Words reserved only from some
 * supported version on are left out of the list, and checked against the server's version.
 */
@ExtendWith(PostgresExtension.class)
class ReservedWordsOnServerTest {

    @Test
    void theListIsTheServersReservedAndTypeOrFunctionNameKeywords(TestDatabase db) throws SQLException {
        Set<String> server = new HashSet<>();
        int major;
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')")) {
            major = c.getMetaData().getDatabaseMajorVersion();
            while (rs.next()) {
                server.add(rs.getString(1));
            }
        }
        assertThat(server).hasSizeGreaterThan(90);
        // a word reserved only from some version on is reserved on this server exactly when that version says so
        ReservedWords.RESERVED_SINCE.forEach((word, since) ->
                assertThat(server.contains(word)).as(word + " reserved on PostgreSQL " + major).isEqualTo(major >= since));
        server.removeAll(ReservedWords.RESERVED_SINCE.keySet());
        assertThat(ReservedWords.words()).containsExactlyInAnyOrderElementsOf(server);
    }
}
