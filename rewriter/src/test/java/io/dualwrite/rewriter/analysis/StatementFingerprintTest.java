package io.dualwrite.rewriter.analysis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatementFingerprintTest {

    @Test
    void literalsParametersWhitespaceCommentsAndKeywordCaseDoNotMatter() {
        StatementFingerprint a = StatementFingerprint.of("UPDATE users SET email = 'a@x' WHERE id = 1", true);
        StatementFingerprint b = StatementFingerprint.of("update  users\n set email = $$b$$ /* orm */ where ID = ?", true);
        assertThat(a.normalized()).isEqualTo("update users set email = ? where id = ?");
        assertThat(b.hash()).isEqualTo(a.hash()).hasSize(16);
        assertThat(a.sample()).isEqualTo("UPDATE users SET email = ? WHERE id = ?");
    }

    @Test
    void quotedNamesAndOtherShapesDiffer() {
        String plain = StatementFingerprint.of("SELECT email FROM users", true).hash();
        assertThat(StatementFingerprint.of("SELECT \"Email\" FROM users", true).hash()).isNotEqualTo(plain);
        assertThat(StatementFingerprint.of("SELECT email, id FROM users", true).hash()).isNotEqualTo(plain);
    }

    @Test
    void theSampleNeverCarriesTheApplicationsDataAndIsCut() {
        String sql = "INSERT INTO users (id, email) VALUES (42, E'secret\\'s@x.org'), (43, U&'d\\0061ta')"
                + " -- note\n" + ", (1, 'x')".repeat(100);
        StatementFingerprint f = StatementFingerprint.of(sql, true);
        assertThat(f.sample()).doesNotContain("secret", "42", "data", "d\\0061ta", "note").startsWith(
                "INSERT INTO users (id, email) VALUES (?, ?), (?, ?) , (?, ?)").hasSize(StatementFingerprint.SAMPLE_CHARS);
        assertThat(f.sample()).endsWith("…");
    }
}
