package io.dualwrite.migrator.watch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Committed transactions read from the feed and not yet checked: their keys, xids and commit times. */
final class Batch {

    /** One decoded transaction, filled between its Begin and its Commit. */
    static final class Tx {
        final long xid;
        final Instant committedAt;
        final Set<String> keys = new LinkedHashSet<>();
        boolean truncated;

        Tx(long xid, Instant committedAt) {
            this.xid = xid;
            this.committedAt = committedAt;
        }
    }

    /** The first transaction of this batch that changed a key: the delay of a drift counts from its commit. */
    record FirstChange(Instant committedAt, long endLsn) {
    }

    final Map<String, FirstChange> keys = new LinkedHashMap<>();
    final List<Long> xids = new ArrayList<>();
    final List<Instant> commits = new ArrayList<>();
    Instant firstTruncate;
    long endLsn;

    void add(Tx tx, long txEndLsn) {
        for (String k : tx.keys) {
            keys.putIfAbsent(k, new FirstChange(tx.committedAt, txEndLsn));
        }
        if (tx.truncated && firstTruncate == null) {
            firstTruncate = tx.committedAt;
        }
        xids.add(tx.xid);
        commits.add(tx.committedAt);
        endLsn = txEndLsn;
    }

    boolean isEmpty() {
        return xids.isEmpty();
    }
}
