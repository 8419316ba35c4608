package io.dualwrite.control;

import io.dualwrite.rewriter.RelationName;
import io.dualwrite.rewriter.SourceView;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class SourceRelativesTest {

    @Test
    void viewsOverTheTableKnowWhichOfTheirColumnsAreTheKey(TestDatabase db) throws Exception {
        db.execute("""
                CREATE TABLE users(id bigint PRIMARY KEY, name text, email text) PARTITION BY RANGE (id);
                CREATE TABLE users_lo PARTITION OF users FOR VALUES FROM (0) TO (100);
                CREATE VIEW member_names AS SELECT name, id AS uid FROM users;
                CREATE VIEW "Deep {view}" AS SELECT uid AS "key (2)", name FROM member_names WHERE uid > 1;
                CREATE VIEW sub AS SELECT x.k, x.name FROM (SELECT id AS k, name, (SELECT 1) AS one FROM users) x
                    WHERE x.k IN (SELECT id FROM users_lo);
                CREATE VIEW names_only AS SELECT name FROM users;
                CREATE VIEW with_email AS SELECT id, email AS mail FROM users;
                CREATE VIEW lo_mail AS SELECT id, email FROM users_lo;
                CREATE VIEW over_lo_mail AS SELECT id FROM lo_mail;
                CREATE VIEW computed AS SELECT id + 0 AS k, name FROM users;
                CREATE VIEW triggered AS SELECT id, name FROM users;
                CREATE FUNCTION nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
                CREATE TRIGGER t INSTEAD OF UPDATE ON triggered FOR EACH ROW EXECUTE FUNCTION nothing();
                CREATE VIEW over_triggered AS SELECT name FROM triggered;
                CREATE VIEW ruled AS SELECT id, name FROM users;
                CREATE RULE r AS ON DELETE TO ruled DO INSTEAD NOTHING;
                CREATE VIEW other AS SELECT 1 AS id;""");
        Map<String, Set<String>> views;
        try (Connection c = db.connect()) {
            Set<RelationName> columnRules = SourceRelatives.columnRules(c, ControlTablesTest.SPEC);
            assertThat(columnRules).containsExactly(new RelationName("public", "with_email"));
            views = SourceRelatives.views(c, ControlTablesTest.SPEC, columnRules).stream().collect(Collectors.toMap(
                    v -> v.view().name(), v -> v.keyColumns() == null ? Set.of("?") : v.keyColumns()));
        }
        assertThat(views).as("unknown (?): may write the column (shows it, or has its own triggers or rules)")
                .isEqualTo(Map.of("member_names", Set.of("uid"), "Deep {view}", Set.of("key (2)"), "sub", Set.of("k"),
                        "names_only", Set.of(), "lo_mail", Set.of("?"), "over_lo_mail", Set.of("id"),
                        "computed", Set.of(), "triggered", Set.of("?"), "over_triggered", Set.of("?"), "ruled", Set.of("?")));
    }
}
