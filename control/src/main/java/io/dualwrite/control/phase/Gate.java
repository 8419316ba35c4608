package io.dualwrite.control.phase;

/**
 * One condition a phase move may require. {@link GateChecks} evaluates each against the control
 * schema, inside the transaction that writes the move, so nothing changes between check and write.
 */
public enum Gate {
    /** The backfill has copied every source row ({@code backfill_checkpoint.completed_at} is set). */
    BACKFILL_COMPLETE("the backfill has completed"),
    /**
     * The latest parity check found 0 mismatches and ran after the phase last changed: a check from
     * before the change says nothing about writes made since. In NEW_ONLY this is also the proof that
     * reverse sync brought the old column back in step.
     */
    PARITY_ZERO("a parity check since the phase last changed found 0 mismatches"),
    /**
     * The new table's value column has the old column's type and modifiers, as {@code expand} creates it: from READ_NEW
     * on reads come from it, and one of another type gives the application other values ({@code text} for
     * {@code character(5)} loses the padding, so {@code = 'ab '} finds nothing) or another type in the result's
     * metadata ({@code text} for {@code varchar(20)}).
     */
    NEW_TABLE_HAS_COLUMN_TYPE("the new table's value column has the old column's type and modifiers"),
    /** Every live application instance acknowledges the phase being left (none still runs an older one). */
    FLEET_ON_CURRENT_PHASE("every live application instance applies the current phase"),
    /** The migration has been in its current phase for at least the soak time the operator asked for. */
    SOAK_PASSED("the soak time has passed in the current phase"),
    /**
     * No statement any instance recorded within the soak window ({@code statement_evidence.last_seen})
     * is one the phases without the old column refuse: after the move the driver would refuse it.
     */
    STATEMENTS_TRANSLATABLE("every statement the fleet sent within the soak window can be translated"),
    /**
     * In NEW_ONLY the application's INSERTs leave the old column unset: it must accept that (nullable,
     * or with a default), or every new row would fail its NOT NULL constraint.
     */
    OLD_COLUMN_MAY_STAY_UNSET("the old column accepts rows that leave it unset (nullable or with a default)"),
    /**
     * Every unique index and CHECK constraint on the old column has its twin on the new table's primary rows
     * ({@code ValueIndexes.uniqueTwins}, {@code ValueChecks.checkTwins}), and no foreign key leaves from it: from
     * NEW_ONLY on the old column is not written, so its own no longer refuse a value.
     */
    OLD_COLUMN_CONSTRAINTS_KEPT("every unique index and CHECK constraint on the old column has its twin on the new table"),
    /**
     * The source has dualwrite's statement triggers that delete the new table's primary rows of source rows deleted by
     * any path ({@code DeletedKeysTrigger}): a foreign key's cascade, a view, {@code TRUNCATE … CASCADE}. From NEW_ONLY
     * on the new table is the only copy of the value, and the driver sees only the deletes it is sent.
     */
    DELETES_REACH_NEW_TABLE("deletes of source rows by any path (a cascade, a view) remove their values from the new table"),
    /**
     * The source table's row-level security, if any, lets a role read every row it may write: the translated
     * writes of NEW_ONLY read back the rows they change, and the driver refuses them where the policies differ
     * for reading and writing (the capture trigger that keeps such tables exact before covers only the phases
     * that still write the old column).
     */
    ROW_SECURITY_READS_WHAT_IT_WRITES("row-level security on the source table lets each role read the rows it may write"),
    /**
     * No enabled trigger on the source table, other than dualwrite's, reads or sets the old column ({@code NEW.email},
     * {@code OLD.email}; any mention in a language other than PL/pgSQL or in a trigger with transition tables): from
     * NEW_ONLY on the driver writes the application's value to the new table, so such a trigger would read a stale
     * value, and what a BEFORE trigger assigns there would be lost without an error; after the drop it fails each
     * write it fires on.
     */
    NO_TRIGGER_USES_OLD_COLUMN("no trigger on the source table reads or sets the old column"),
    /**
     * Nothing PostgreSQL records as reading the old column exists ({@code ColumnUses#readers}: a view, a rule, a
     * policy, a generated column, a trigger with {@code UPDATE OF} or {@code WHEN} on it, another table's foreign key
     * referencing it, a function with a SQL-standard body): the driver translates the application's SQL, not SQL
     * stored in the database, so from NEW_ONLY on each would read stale values. Contract refuses them too.
     */
    NO_OBJECT_READS_OLD_COLUMN("no view, policy, rule, generated column, foreign key or other object reads the old column"),
    /**
     * After a rollback past the contract, the old column has its unique indexes and CHECKs again
     * ({@code ConstraintRestores}): in EXPANDED it alone is written, and their twins on the new table refuse nothing.
     */
    OLD_COLUMN_CONSTRAINTS_RESTORED("the unique indexes and CHECKs the contract dropped with the old column are back");

    private final String meaning;

    Gate(String meaning) {
        this.meaning = meaning;
    }

    /** What holds when the gate is met, for help texts and refusals. */
    public String meaning() {
        return meaning;
    }
}
