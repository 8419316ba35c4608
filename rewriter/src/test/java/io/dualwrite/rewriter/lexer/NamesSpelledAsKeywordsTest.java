package io.dualwrite.rewriter.lexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which reserved words {@link Statements#significant} gives as names ({@link TokenKind#LABEL}) and which stay keywords. */
class NamesSpelledAsKeywordsTest {

    @Test
    void aReservedWordAfterAsInASelectOrReturningListIsALabel() {
        assertThat(labels("SELECT email AS select, id AS from FROM users")).containsExactly("select", "from");
        assertThat(labels("SELECT (SELECT email AS union FROM users) AS e")).containsExactly("union");
        assertThat(labels("UPDATE users SET name = 'x' RETURNING email AS select")).containsExactly("select");
        assertThat(labels("INSERT INTO t SELECT 1 AS order ON CONFLICT DO NOTHING")).containsExactly("order");
        assertThat(labels("SELECT email AS as FROM users")).containsExactly("as");
        assertThat(labels("CREATE TABLE t AS SELECT email AS select FROM users")).containsExactly("select");
    }

    @Test
    void aReservedWordAfterADotIsAName() {
        assertThat(labels("SELECT x.select, x.from FROM (SELECT 1 AS select, 2 AS from) x"))
                .containsExactly("select", "from", "select", "from");
    }

    @Test
    void theAsThatIntroducesAQueryOrATypeKeepsItsKeyword() {
        assertThat(labels("CREATE TABLE t AS SELECT FROM users")).isEmpty();
        assertThat(labels("PREPARE p AS SELECT FROM users")).isEmpty();
        assertThat(labels("PREPARE p (int) AS SELECT $1")).isEmpty();
        assertThat(labels("EXPLAIN CREATE TABLE t AS TABLE users")).isEmpty();
        assertThat(labels("CREATE RULE r AS ON SELECT TO t DO INSTEAD SELECT 1")).isEmpty();
        assertThat(labels("WITH x AS NOT MATERIALIZED (SELECT 1) SELECT * FROM x")).isEmpty();
        assertThat(labels("WITH x AS (SELECT 1) SELECT CAST(a AS integer) FROM x")).isEmpty();
        assertThat(labels("SELECT email FROM users WHERE email IS NOT NULL")).isEmpty();
        assertThat(labels("SELECT 1 AS from; PREPARE p AS SELECT FROM users")).containsExactly("from");
    }

    private static List<String> labels(String sql) {
        return Statements.significant(Lexer.scan(sql, true).tokens()).stream()
                .filter(t -> t.kind() == TokenKind.LABEL).map(Token::normalized).toList();
    }
}
