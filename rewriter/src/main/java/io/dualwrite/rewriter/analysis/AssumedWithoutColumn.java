package io.dualwrite.rewriter.analysis;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The relations one plan took to have no column named like a migrated one because the catalog read behind
 * {@link io.dualwrite.rewriter.SourceTable#relationsWithColumn} did not list them ({@link SourceNames#relationHasColumn}
 * answered false). The planners are shared by every thread, so the answers are collected per thread while one text is
 * planned; the plan carries them ({@link io.dualwrite.rewriter.RewritePlan#assumedWithoutColumn}) for the driver to
 * check where a session may see relations that read could not.
 */
public final class AssumedWithoutColumn {

    private static final ThreadLocal<Map<MigrationSpec, Set<RelationName>>> COLLECTING = new ThreadLocal<>();

    private AssumedWithoutColumn() {
    }

    /**
     * Runs {@code planning} and returns what it made with the answers it relied on ({@code withAnswers}); a planning
     * nested in another (a text planned again in another spelling) adds to the outer one's.
     */
    public static <T> T collect(Supplier<T> planning, WithAnswers<T> withAnswers) {
        if (COLLECTING.get() != null) {
            return planning.get();
        }
        Map<MigrationSpec, Set<RelationName>> answers = new HashMap<>(2);
        COLLECTING.set(answers);
        try {
            T made = planning.get();
            return answers.isEmpty() ? made : withAnswers.apply(made, answers);
        } finally {
            COLLECTING.remove();
        }
    }

    /** What planning made, given the relations it took to lack each migration's column. */
    public interface WithAnswers<T> {
        T apply(T made, Map<MigrationSpec, Set<RelationName>> answers);
    }

    static void record(MigrationSpec spec, String schema, String name) {
        Map<MigrationSpec, Set<RelationName>> answers = COLLECTING.get();
        if (answers != null) {
            answers.computeIfAbsent(spec, k -> new HashSet<>(4)).add(new RelationName(schema, name));
        }
    }
}
