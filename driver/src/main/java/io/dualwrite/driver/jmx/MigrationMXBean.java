package io.dualwrite.driver.jmx;

/**
 * One migration as JMX shows it: {@code io.dualwrite:type=Migration,name=<table>.<column>}.
 * Setting {@code Phase} writes the control schema (the source of truth) and takes effect at once
 * for every connection and prepared statement of this JVM.
 */
public interface MigrationMXBean {

    /** {@code table.column}, as in the ObjectName. */
    String getMigration();

    /** The PgJDBC URL of the database whose migration this is. */
    String getDatabase();

    String getPhase();

    /**
     * @param phase EXPANDED, DUAL_WRITE or READ_NEW (case-insensitive)
     * @throws IllegalArgumentException for an unknown or unsupported phase, or when the control
     *                                  schema cannot be written (nothing changes then)
     */
    void setPhase(String phase);

    /** Statements that reached PostgreSQL in a rewritten form (writes and reads). */
    long getStatementsRewritten();

    /** Rewritten writes that went to both the old column and the target table. */
    long getDualWrites();

    /** Rewritten reads served from the target table. */
    long getReadsRewritten();

    /** Statements refused because they touch the migrated column and cannot be rewritten with certainty. */
    long getRejectedStatements();
}
