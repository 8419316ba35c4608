package io.dualwrite.migrator;

/**
 * The request itself is wrong (a name that does not exist, a malformed URL, a key that is not
 * unique, no database to connect to): the CLI exits 2 and prints only the message.
 */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
