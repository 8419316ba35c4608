package io.dualwrite.samples.demo;

import io.dualwrite.rewriter.Phase;
import io.dualwrite.samples.legacy.LegacyApp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Steps 5 to 8 of the demo, the half after READ_NEW, while the legacy application keeps writing: NEW_ONLY (the old
 * column no longer written), the contract (the column dropped; the driver translates), a probe proving the legacy SQL
 * still reads and writes {@code email} after the drop, and the rollback after the drop (reverse-sync re-adds and
 * fills the column, back to NEW_ONLY, then READ_NEW).
 */
final class AfterTheDrop {

    /** An id the application never touches. */
    private static final long PROBE_ID = -43;
    /** Stands for the production soak (24h): the demo's phases last seconds. */
    private static final String SOAK = "1s";

    private final DemoContext d;
    private final LegacyApp app;
    private final String[] conn;

    AfterTheDrop(DemoContext d, LegacyApp app) {
        this.d = d;
        this.app = app;
        this.conn = new String[] {"--url", d.pgUrl, "--user", d.user};
    }

    /** Steps 5-8; returns the exit code of the parity gate after the rollback. */
    int walk() throws Exception {
        newOnly();
        contract();
        legacySqlAfterTheDrop();
        return rollbackAfterTheDrop();
    }

    private String[] cmd(String command, String... more) {
        return DemoContext.concat(new String[] {command}, conn, new String[] {"--migration", DemoContext.MIGRATION}, more);
    }

    private void newOnly() throws Exception {
        DemoContext.step(5, "New only: the old column is no longer written; the driver translates every statement naming it"
                + " (gate: parity 0, every instance on READ_NEW, nothing untranslatable seen in the soak window)");
        long ops = app.totalOk();
        d.expectExit(DemoContext.cli(cmd("phase", "NEW_ONLY", "--soak", SOAK)), 0);
        d.awaitAck(Phase.NEW_ONLY);
        d.dwell(app, ops);
        try (Connection c = d.plain()) {
            String behind = DemoContext.scalar(c, "SELECT count(*)::text FROM users u LEFT JOIN email_address e"
                    + " ON e.user_id = u.id AND e.is_primary WHERE u.email IS DISTINCT FROM e.address");
            d.check("users.email is no longer written", Long.parseLong(behind) > 0, behind
                    + " users whose users.email is behind email_address after the app's NEW_ONLY writes");
        }
        DemoContext.rollback("dualwrite reverse-sync --url " + d.pgUrl + " --migration " + DemoContext.MIGRATION
                + "   (old <- new, exact under the live writes), then dualwrite phase ... READ_NEW");
    }

    private void contract() throws Exception {
        DemoContext.step(6, "Contract: drop users.email (gate: soak passed, every instance on NEW_ONLY, nothing"
                + " untranslatable); the legacy app keeps running");
        long ops = app.totalOk();
        d.expectExit(DemoContext.cli(cmd("contract", "--soak", SOAK, "--dry-run")), 0);
        d.expectExit(DemoContext.cli(cmd("contract", "--soak", SOAK)), 0);
        d.awaitAck(Phase.CONTRACTED);
        d.dwell(app, ops);
        try (Connection c = d.plain()) {
            String columns = DemoContext.scalar(c, "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)"
                    + " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users'");
            d.check("users.email is gone", !columns.contains("email"), "users(" + columns + ")");
        }
        DemoContext.rollback("dualwrite reverse-sync --url " + d.pgUrl + " --migration " + DemoContext.MIGRATION
                + "   (re-adds the column and fills it, CONTRACTED -> NEW_ONLY; no backup needed)");
    }

    /** The legacy SQL, through the driver, after the drop: INSERT, SELECT *, UPDATE … lower(email), DELETE. */
    private void legacySqlAfterTheDrop() throws SQLException {
        DemoContext.step(7, "The legacy SQL still reads and writes email after the column is gone (through the driver)");
        try (Connection dw = d.dualwrite(); Connection pg = d.plain()) {
            try (PreparedStatement p = dw.prepareStatement("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")) {
                p.setLong(1, PROBE_ID);
                p.setString(2, "contract probe");
                p.setString(3, "Probe@Example.com");
                d.check("INSERT INTO users (id, name, email) VALUES (...)", p.executeUpdate() == 1, "1 row");
            }
            try (PreparedStatement p = dw.prepareStatement("UPDATE users SET email = lower(email) WHERE id = ?")) {
                p.setLong(1, PROBE_ID);
                d.check("UPDATE users SET email = lower(email) WHERE id = ?", p.executeUpdate() == 1, "update count 1");
            }
            try (PreparedStatement p = dw.prepareStatement("SELECT * FROM users WHERE id = ?")) {
                p.setLong(1, PROBE_ID);
                try (ResultSet rs = p.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    StringBuilder cols = new StringBuilder();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        cols.append(i > 1 ? ", " : "").append(md.getColumnLabel(i)).append(' ').append(md.getColumnTypeName(i));
                    }
                    String email = rs.next() ? rs.getString("email") : "(no row)";
                    System.out.println("  SELECT * FROM users WHERE id = " + PROBE_ID + "  via " + d.dwUrl + "  -> (" + cols
                            + "): email = " + email);
                    d.check("SELECT * returns email at its original position with its type", md.getColumnCount() == 3
                            && "email".equals(md.getColumnLabel(3)) && "text".equals(md.getColumnTypeName(3))
                            && "probe@example.com".equals(email), "columns " + cols);
                }
            }
            String stored = DemoContext.scalarWithId(pg, "SELECT address FROM email_address WHERE user_id = ? AND is_primary", PROBE_ID);
            System.out.println("  email_address.address                       (plain PgJDBC)  -> " + stored);
            try (Statement s = pg.createStatement()) {
                s.executeQuery("SELECT email FROM users LIMIT 1").close();
                d.check("plain PgJDBC cannot read users.email any more", false, "it could");
            } catch (SQLException e) {
                System.out.println("  SELECT email FROM users                     (plain PgJDBC)  -> " + e.getSQLState() + " "
                        + e.getMessage().lines().findFirst().orElse(""));
                d.check("the value lives in email_address only", "probe@example.com".equals(stored)
                        && "42703".equals(e.getSQLState()), "plain read fails with " + e.getSQLState());
            }
            try (PreparedStatement p = dw.prepareStatement("DELETE FROM users WHERE id = ?")) {
                p.setLong(1, PROBE_ID);
                p.executeUpdate();
            }
            String left = DemoContext.scalarWithId(pg, "SELECT count(*)::text FROM email_address WHERE user_id = ?", PROBE_ID);
            d.check("DELETE through the driver removes the user's email rows", "0".equals(left), left + " rows left");
        }
    }

    private int rollbackAfterTheDrop() throws Exception {
        DemoContext.step(8, "Roll back after the drop: reverse-sync re-adds users.email and fills it (CONTRACTED -> NEW_ONLY),"
                + " then READ_NEW; the app keeps writing");
        long ops = app.totalOk();
        d.expectExit(DemoContext.cli(cmd("reverse-sync")), 0);
        d.awaitAck(Phase.NEW_ONLY);
        d.dwell(app, ops);
        ops = app.totalOk();
        d.expectExit(DemoContext.cli(cmd("phase", "READ_NEW")), 0);
        d.awaitAck(Phase.READ_NEW);
        d.dwell(app, ops);
        System.out.println("validation: users.email is back and equal to email_address (parity exit code 0)");
        int parity = DemoContext.cli(cmd("parity"));
        d.check("parity = 0 after the rollback after the drop", parity == 0, "parity exit code " + parity);
        try (Connection c = d.plain()) {
            String filled = DemoContext.scalar(c, "SELECT count(email)::text FROM users");
            d.check("users.email re-added and filled", Long.parseLong(filled) > 0, String.format(Locale.ROOT,
                    "%,d users with an email in the re-added column", Long.parseLong(filled)));
        }
        DemoContext.rollback("none needed: this was the rollback (forward again: phase NEW_ONLY, contract)");
        return parity;
    }
}
