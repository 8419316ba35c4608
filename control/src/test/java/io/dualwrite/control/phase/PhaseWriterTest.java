package io.dualwrite.control.phase;

import io.dualwrite.control.ControlSchema;
import io.dualwrite.control.ControlTablesTest;
import io.dualwrite.control.PhaseLog;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class PhaseWriterTest {

    private static final String M = "users.email";

    @Test
    void aMoveWritesRowAuditAndNotifyTogether(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        try (Connection listener = db.connect(); Connection c = db.connect()) {
            ControlSchema.register(c, ControlTablesTest.SPEC);
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + PhaseLog.CHANNEL);
            }
            PhaseTransitions.Move move = PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.DUAL_WRITE, "test", "why"));
            assertThat(move.from()).isEqualTo(Phase.EXPANDED);
            PGNotification[] n = listener.unwrap(PGConnection.class).getNotifications(2000);
            assertThat(n).extracting(PGNotification::getParameter).containsExactly(M);
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("DUAL_WRITE");
        assertThat(db.queryString("SELECT string_agg(coalesce(from_phase, '-') || '>' || to_phase || ' ' || changed_by, ', '"
                + " ORDER BY id) FROM dualwrite.phase_change")).isEqualTo("->EXPANDED expand, EXPANDED>DUAL_WRITE test");
    }

    @Test
    void unmetGatesRefuseAndChangeNothingUnlessForced(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, ControlTablesTest.SPEC);
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.DUAL_WRITE, "test", null));
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.READ_NEW, "test", null)))
                    .isInstanceOfSatisfying(PhaseRefusedException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("55000");
                        assertThat(e.unmet()).hasSize(2);
                        assertThat(e.getMessage()).contains("backfill has not completed", "no parity check");
                    });
            assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("DUAL_WRITE");

            db.execute("INSERT INTO dualwrite.backfill_checkpoint (migration, completed_at) VALUES ('users.email', now())");
            ControlSchema.recordParity(c, M, 3);
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.READ_NEW, "test", null)))
                    .hasMessageContaining("found 3 mismatches: run dualwrite parity --repair, then dualwrite parity again");
            ControlSchema.recordParity(c, M, 0);
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.READ_NEW, "test", null));
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.DUAL_WRITE, "test", null));
            // the parity check is older than the last change now
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.READ_NEW, "test", null)))
                    .hasMessageContaining("no parity check since the phase last changed");
            PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.READ_NEW, "test", "drill").forced(true));
        }
        assertThat(db.queryString("SELECT reason FROM dualwrite.phase_change ORDER BY id DESC LIMIT 1"))
                .isEqualTo("FORCED (gates not checked: BACKFILL_COMPLETE, PARITY_ZERO, FLEET_ON_CURRENT_PHASE, NEW_TABLE_HAS_COLUMN_TYPE): drill");
    }

    @Test
    void forceNeverSkipsTheMoveItselfNorAnotherCommandsMove(TestDatabase db) throws Exception {
        ControlTablesTest.createUsers(db);
        try (Connection c = db.connect()) {
            ControlSchema.register(c, ControlTablesTest.SPEC);
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.READ_NEW, "t", null).forced(true)))
                    .hasMessageContaining("one step at a time");
            db.execute("UPDATE dualwrite.migration SET phase = 'NEW_ONLY'");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.CONTRACTED, "t", null).forced(true)))
                    .hasMessageContaining("is made by dualwrite contract");
            db.execute("UPDATE dualwrite.migration SET phase_changed_at = now() - interval '2 hours'");
            assertThatThrownBy(() -> PhaseWriter.change(c, PhaseWriter.Request.of(M, Phase.CONTRACTED, "t", null)
                    .by(PhaseTransitions.Command.CONTRACT, Duration.ofHours(3))))
                    .hasMessageContaining("the soak time has not passed", "2h00m", "3h00m");
        }
        assertThat(db.queryString("SELECT phase FROM dualwrite.migration")).isEqualTo("NEW_ONLY");
    }
}
