package io.dualwrite.rewriter.rewrite;

import io.dualwrite.rewriter.MigrationSpec;
import io.dualwrite.rewriter.SourceTable;
import java.util.List;

/** The worked example: users.email (key users.id) moves to email_address(user_id, address, is_primary). */
final class Fixtures {

    static final MigrationSpec USERS_EMAIL = new MigrationSpec("public", "users", "id", "email",
            "public", "email_address", "user_id", "address", "is_primary", "sync_users_email");
    /** Without BEFORE row triggers or rules (storedMayDiffer false): an UPDATE of other columns passes through. */
    static final SourceTable USERS = new SourceTable(USERS_EMAIL, List.of("id", "name", "email", "created_at"), null, null,
            false, false, false);

    static final String VIEW = "INSERT INTO \"dualwrite\".\"sync_users_email\" (k, v, deleted)";
    /** The one-time row-level security guard every sync insert ends with (DualWriteForm#rlsGuard). */
    static final String RLS_GUARD = " WHERE (pg_catalog.current_setting('session_replication_role') <> 'replica'"
            + " OR \"dualwrite\".refuse_replica_role('\"public\".\"users\"'::pg_catalog.regclass))"
            + " AND (NOT pg_catalog.row_security_active('\"public\".\"users\"'::pg_catalog.regclass)"
            + " OR \"dualwrite\".refuse_asymmetric_rls('\"public\".\"users\"'::pg_catalog.regclass))";
    static final String UPSERT_TAIL = ") " + VIEW + " SELECT \"dw$k\", \"dw$v\", false FROM \"dw$w\"" + RLS_GUARD;
    static final String DELETE_TAIL = ") " + VIEW + " SELECT \"dw$k\", NULL, true FROM \"dw$w\"" + RLS_GUARD;

    static StatementRewriter rewriter() {
        return new StatementRewriter(List.of(USERS));
    }

    static String newEmail(String q) {
        return "(SELECT \"dw$e\".\"address\" FROM \"public\".\"email_address\" \"dw$e\" WHERE \"dw$e\".\"user_id\" = "
                + q + ".\"id\" AND \"dw$e\".\"is_primary\")";
    }

    /** A WHERE conjunct that looks rows up by the column's value, read from the new table first (ValueLookups). */
    static String lookup(String q, String comparison) {
        return lookupOn(q, "\"dw$l\".\"address\" " + comparison);
    }

    /** {@link #lookup} with the whole condition on the target row ({@code "dw$l"}) given. */
    static String lookupOn(String q, String condition) {
        return q + ".\"id\" IN (SELECT \"dw$l\".\"user_id\" FROM \"public\".\"email_address\" \"dw$l\" WHERE "
                + condition + " AND \"dw$l\".\"is_primary\")";
    }

    private Fixtures() {
    }
}
