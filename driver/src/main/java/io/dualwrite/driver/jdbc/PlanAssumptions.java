package io.dualwrite.driver.jdbc;

import io.dualwrite.driver.runtime.CatalogRelations;
import io.dualwrite.driver.runtime.ColumnNameOwners;
import io.dualwrite.driver.runtime.DatabaseRuntime;
import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.RewritePlan;
import io.dualwrite.rewriter.rewrite.StatementRewriter;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether the relations a plan took to have no column named like a migrated one
 * ({@link RewritePlan#assumedWithoutColumn}: an unqualified {@code email} beside {@code users} is then {@code users.email},
 * a NATURAL join is not on it) lack it as this session sees them. The rewriter knows such columns from a catalog read a
 * few seconds old ({@link CatalogRelations}, which leaves every session's temporary relations out), so the server is
 * asked, through the session, about a relation that read does not list (created since, by this session or another; a
 * temporary one; or a WITH query's name), about every one while this session's own changes may not be in the reads yet,
 * and about every unqualified one once the session may have temporary relations (one may hide a table of the same
 * name): once per relation until the next catalog read or the session's next change. Where one has the column, the
 * text is planned again by a rewriter that knows it, which reads it as PostgreSQL does (the name is ambiguous; the join
 * is also on it).
 */
final class PlanAssumptions {

    private record Asked(MigrationSpec spec, RelationName relation) {
    }

    private final Connection physical;
    private final SearchPathWatch watch;
    /** Per relation asked: the relations of its name that the server said have the column (empty: none). */
    private final Map<Asked, Set<RelationName>> answers = new HashMap<>();
    private long answersRead = -1;
    private int answersChanges;
    /** Until the catalog read of this number, the reads may not have seen this session's latest change. */
    private long sessionChangesReadFrom;
    private DatabaseRuntime.Migrations knowingFor;
    private Map<MigrationSpec, Set<RelationName>> knowingWhat;
    private StatementRewriter knowing;

    PlanAssumptions(Connection physical, SearchPathWatch watch) {
        this.physical = physical;
        this.watch = watch;
    }

    /** {@code plan}, or the plan of {@code sql} made knowing the relations this session sees with the column. */
    RewritePlan checked(RewritePlan plan, String sql, boolean standardConformingStrings, DatabaseRuntime.Migrations migrations,
                        CatalogRelations catalog) throws SQLException {
        int changes = watch.relationChanges();
        if (changes != answersChanges || catalog.read() != answersRead) {
            answers.clear();
            if (changes != answersChanges) {
                sessionChangesReadFrom = catalog.read() + 2;
            }
            answersChanges = changes;
            answersRead = catalog.read();
        }
        boolean everyRelation = catalog.read() < sessionChangesReadFrom;
        // the reads list no temporary relation: one of this session's may hide a relation they list by its name
        boolean temporary = watch.mayHaveTemporaryRelations();
        Map<MigrationSpec, Set<RelationName>> withColumn = null;   // allocated only where a relation has the column
        for (Map.Entry<MigrationSpec, Set<RelationName>> assumed : plan.assumedWithoutColumn().entrySet()) {
            MigrationSpec spec = assumed.getKey();
            List<RelationName> toAsk = null;
            for (RelationName r : assumed.getValue()) {
                boolean ask = everyRelation || !catalog.lists(r)
                        || temporary && (r.schema() == null || r.schema().equals("pg_temp"));
                Set<RelationName> known = ask ? answers.get(new Asked(spec, r)) : Set.of();
                if (known == null) {
                    toAsk = toAsk == null ? new ArrayList<>() : toAsk;
                    toAsk.add(r);
                } else if (!known.isEmpty()) {
                    withColumn = with(withColumn, spec, known);
                }
            }
            if (toAsk == null) {
                continue;
            }
            Set<RelationName> found = ask(spec, toAsk);
            if (found == null) {
                return plan;   // an aborted transaction: the statement fails as the application's own would
            }
            for (RelationName r : toAsk) {
                Set<RelationName> matching = new HashSet<>();
                for (RelationName f : found) {
                    if (f.isNamedBy(r.schema(), r.name())) {
                        matching.add(f);
                    }
                }
                answers.put(new Asked(spec, r), Set.copyOf(matching));
                if (!matching.isEmpty()) {
                    withColumn = with(withColumn, spec, matching);
                }
            }
        }
        return withColumn == null ? plan : rewriterKnowing(migrations, withColumn).plan(sql, standardConformingStrings);
    }

    private static Map<MigrationSpec, Set<RelationName>> with(Map<MigrationSpec, Set<RelationName>> withColumn,
                                                             MigrationSpec spec, Set<RelationName> relations) {
        Map<MigrationSpec, Set<RelationName>> out = withColumn == null ? new HashMap<>() : withColumn;
        out.computeIfAbsent(spec, k -> new HashSet<>()).addAll(relations);
        return out;
    }

    private StatementRewriter rewriterKnowing(DatabaseRuntime.Migrations migrations,
                                              Map<MigrationSpec, Set<RelationName>> what) {
        if (knowingFor != migrations || !what.equals(knowingWhat)) {
            knowing = migrations.rewriterAlsoKnowing(what);
            knowingFor = migrations;
            knowingWhat = what;
        }
        return knowing;
    }

    /** The relations named like {@code relations} that have {@code spec}'s column; null when the server cannot be asked. */
    private Set<RelationName> ask(MigrationSpec spec, List<RelationName> relations) throws SQLException {
        if (physical.unwrap(BaseConnection.class).getTransactionState() == TransactionState.FAILED) {
            return null;
        }
        String[] names = new String[relations.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = relations.get(i).name();
        }
        return ColumnNameOwners.named(physical, spec, names);
    }
}
