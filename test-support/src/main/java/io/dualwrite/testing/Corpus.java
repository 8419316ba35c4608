package io.dualwrite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL corpora kept in the repository's {@code corpus/} folder. A missing folder or file is a
 * failure, never a skip: a test that quietly stops reading its input proves nothing.
 */
public final class Corpus {

    /** A row of the corpus README's file table: {@code | insert.sql | <commit> | …}. */
    private static final Pattern LISTED_FILE = Pattern.compile("^\\| (\\S+\\.sql) \\|", Pattern.MULTILINE);

    private Corpus() {
    }

    /**
     * PostgreSQL's regression SQL ({@code corpus/postgres-regress}): every {@code .sql} file its
     * README lists, in the README's order.
     *
     * @throws AssertionError if the folder, its README or any listed file is missing
     */
    public static List<Path> postgresRegress() {
        return listed(find(Path.of("").toAbsolutePath(), "postgres-regress"));
    }

    /** The {@code .sql} files that {@code dir}'s README lists, each checked to exist. */
    static List<Path> listed(Path dir) {
        String readme = read(dir.resolve("README.md"));
        List<Path> files = new ArrayList<>();
        Matcher m = LISTED_FILE.matcher(readme);
        while (m.find()) {
            Path f = dir.resolve(m.group(1));
            if (!Files.isRegularFile(f)) {
                throw new AssertionError("corpus file listed in " + dir.resolve("README.md") + " is missing: " + f);
            }
            files.add(f);
        }
        if (files.isEmpty()) {
            throw new AssertionError("no .sql file listed in " + dir.resolve("README.md"));
        }
        return files;
    }

    /** {@code corpus/<name>} in the nearest folder at or above {@code start} that has one. */
    static Path find(Path start, String name) {
        for (Path p = start; p != null; p = p.getParent()) {
            Path dir = p.resolve("corpus").resolve(name);
            if (Files.isDirectory(dir)) {
                return dir;
            }
        }
        throw new AssertionError("corpus/" + name + " not found in " + start + " or any folder above it;"
                + " it is part of the repository: restore it with git checkout -- corpus/" + name);
    }

    private static String read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("corpus README missing: " + file);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
