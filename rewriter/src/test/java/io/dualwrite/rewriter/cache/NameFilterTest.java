package io.dualwrite.rewriter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NameFilterTest {

    private final NameFilter users = new NameFilter(List.of("users"));

    @Test
    void findsTheNameInAnyCaseAndPlace() {
        for (String sql : List.of("users", "UPDATE users SET email = ?", "update USERS set x = 1", "select * from \"Users\"",
                "SELECT 1 FROM uSeRs", "x.users", "uusers", "useusers", "userusers", "DO $$ BEGIN DELETE FROM users; END $$",
                "SELECT 'é' FROM users", "SELECT 1 -- users")) {
            assertThat(users.mayMention(sql)).as(sql).isTrue();
        }
    }

    @Test
    void passesTextsWithoutTheName() {
        for (String sql : List.of("", "u", "user", "SELECT 1", "UPDATE accounts SET balance = 1", "use rs", "userS_".substring(0, 4),
                "usérs", "SELECT 'üsers' FROM account", "usersx".substring(1))) {
            assertThat(users.mayMention(sql)).as(sql).isFalse();
        }
    }

    @Test
    void severalNamesAndANonAsciiName() {
        NameFilter f = new NameFilter(List.of("users", "Kunden_ä"));
        assertThat(f.mayMention("SELECT * FROM KUNDEN_Ä")).isTrue();
        assertThat(f.mayMention("SELECT * FROM kunden_a")).isFalse();
        assertThat(f.mayMention("SELECT * FROM USERS")).isTrue();
    }

    /** Quoted, a double quote inside the name is written doubled: the text never holds the name as stored. */
    @Test
    void aNameWithDoubleQuotesIsFoundInItsQuotedSpelling() {
        NameFilter f = new NameFilter(List.of("Ac\"count \"Holders\""));
        assertThat(f.mayMention("INSERT INTO \"Sa\"\"les\".\"Ac\"\"count \"\"Holders\"\"\" VALUES (1)")).isTrue();
        assertThat(f.mayMention("INSERT INTO accounts VALUES (1)")).isFalse();
        assertThat(new NameFilter(List.of("\"")).mayMention("SELECT * FROM \"\"\"\"")).as("a name of one quote").isTrue();
    }

    /** Against the plain definition: some position where every character, ASCII-lower-cased, equals the name's. */
    @Test
    void agreesWithANaiveSearchOnRandomTexts() {
        long seed = 20261125L;
        Random random = new Random(seed);
        String alphabet = "usersUSERabcdé_ \"'.;(";
        for (String name : List.of("users", "e", "ususer", "a_b")) {
            NameFilter f = new NameFilter(List.of(name));
            for (int n = 0; n < 20_000; n++) {
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(40); i > 0; i--) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                String sql = text.toString();
                assertThat(f.mayMention(sql)).as("seed %d, name %s, text %s", seed, name, sql).isEqualTo(naive(sql, name));
            }
        }
    }

    private static boolean naive(String text, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (int at = 0; at + lower.length() <= text.length(); at++) {
            boolean all = true;
            for (int j = 0; j < lower.length() && all; j++) {
                char c = text.charAt(at + j);
                all = (c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) == lower.charAt(j);
            }
            if (all) {
                return true;
            }
        }
        return false;
    }
}
