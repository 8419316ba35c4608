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
 * called "from"; a word too many would hide a real column reference from the rewrite.
 */
@ExtendWith(PostgresExtension.class)
class ReservedWordsOnServerTest {

    @Test
    void theListIsTheServersReservedAndTypeOrFunctionNameKeywords(TestDatabase db) throws SQLException {
        Set<String> server = new HashSet<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')")) {
            while (rs.next()) {
                server.add(rs.getString(1));
            }
        }
        assertThat(server).hasSizeGreaterThan(90);
        assertThat(ReservedWords.words()).containsExactlyInAnyOrderElementsOf(server);
    }
}
