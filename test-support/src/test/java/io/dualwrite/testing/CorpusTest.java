package io.dualwrite.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A corpus that is not all there fails the test that reads it. */
class CorpusTest {

    private static final String README = """
            | file | commit | bytes | statements (rough) |
            |---|---|---:|---:|
            | insert.sql | 0200398 | 28997 | 383 |
            | update.sql | 05ce4bf | 27235 | 294 |
            """;

    @Test
    void theRepositoryCopyIsComplete() {
        assertThat(Corpus.postgresRegress()).hasSize(30).allMatch(Files::isRegularFile);
    }

    @Test
    void findsTheCorpusFromAModuleFolder(@TempDir Path repo) throws IOException {
        Path dir = Files.createDirectories(repo.resolve("corpus/postgres-regress"));
        Path module = Files.createDirectories(repo.resolve("rewriter"));
        assertThat(Corpus.find(module, "postgres-regress")).isEqualTo(dir);
    }

    @Test
    void aMissingFolderFails(@TempDir Path elsewhere) {
        assertThatThrownBy(() -> Corpus.find(elsewhere, "no-such-corpus"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("corpus/no-such-corpus not found");
    }

    @Test
    void aListedFileThatIsMissingFails(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("README.md"), README);
        Files.writeString(dir.resolve("insert.sql"), "SELECT 1;");
        assertThatThrownBy(() -> Corpus.listed(dir))
                .isInstanceOf(AssertionError.class).hasMessageContaining("update.sql");
        Files.writeString(dir.resolve("update.sql"), "SELECT 2;");
        assertThat(Corpus.listed(dir)).containsExactly(dir.resolve("insert.sql"), dir.resolve("update.sql"));
    }

    @Test
    void aMissingReadmeFails(@TempDir Path dir) {
        assertThatThrownBy(() -> Corpus.listed(dir))
                .isInstanceOf(AssertionError.class).hasMessageContaining("README missing");
    }
}
