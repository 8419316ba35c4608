package io.dualwrite.rewriter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Names as PostgreSQL stores them, and migration names that stay distinct. */
class IdentifiersTest {

    @Test
    void unquotedNamesFoldInAsciiOnlyAsPostgresqlDoesInUtf8() {
        assertThat(Identifiers.normalize("Users")).isEqualTo("users");
        assertThat(Identifiers.normalize("ÉQUIPE")).isEqualTo("Équipe");
        assertThat(Identifiers.normalize("\"Mixed \"\"Case\"\"\"")).isEqualTo("Mixed \"Case\"");
    }

    @Test
    void namesAreTruncatedTo63BytesAtACharacterBoundary() {
        String é64 = "é".repeat(32);
        assertThat(Identifiers.normalize("\"" + é64 + "\"")).isEqualTo("é".repeat(31));
        assertThat(Identifiers.truncate("a" + é64, 63)).isEqualTo("a" + "é".repeat(31));
        assertThat(Identifiers.truncate("ab" + é64, 63)).as("never half a character").isEqualTo("ab" + "é".repeat(30));
        assertThat(Identifiers.bytes(Identifiers.truncate("🏠".repeat(20), 63))).isEqualTo(60);
    }

    @Test
    void migrationNamesQuoteOnlyPartsThatWouldMakeThemAmbiguous() {
        assertThat(MigrationSpec.nameOf("public", "users", "email")).isEqualTo("users.email");
        assertThat(MigrationSpec.nameOf("Sales Team", "Ac'count", "E\"mail")).isEqualTo("Sales Team.Ac'count.E\"mail");
        assertThat(MigrationSpec.nameOf("a.b", "c", "d")).isEqualTo("\"a.b\".c.d");
        assertThat(MigrationSpec.nameOf("a", "b.c", "d")).isEqualTo("a.\"b.c\".d");
        assertThat(MigrationSpec.nameOf("\"x", "t", "c")).isEqualTo("\"\"\"x\".t.c");
    }
}
