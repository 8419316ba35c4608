package io.dualwrite.migrator;

/**
 * The operation was refused or a check failed, for a reason the user can act on (the CLI exits 1
 * and prints only the message). Examples: backfill while the migration is still EXPANDED, a phase
 * this version does not support, a READ_NEW gate whose parity is not zero.
 */
public class RefusedException extends RuntimeException {

    public RefusedException(String message) {
        super(message);
    }
}
