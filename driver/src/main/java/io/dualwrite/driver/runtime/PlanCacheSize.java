package io.dualwrite.driver.runtime;

import io.dualwrite.rewriter.cache.PlanCache;

import java.sql.SQLException;
import java.util.Properties;

/**
 * Connection property {@value #PROPERTY} (also accepted in the URL, {@code ?dualwritePlanCacheBytes=…}):
 * the most heap, in bytes, that the plans of one database may take (default
 * {@value PlanCache#DEFAULT_MAX_BYTES}, 32 MiB; 0 caches nothing). Read by the first connection to a
 * database (per {@value RuntimeRegistry#INSTANCE_PROPERTY}); later connections share its cache.
 * Statements that name no migrated table are never cached and cost nothing here.
 */
final class PlanCacheSize {

    static final String PROPERTY = "dualwritePlanCacheBytes";

    private PlanCacheSize() {
    }

    static long of(String pgUrl, Properties info) throws SQLException {
        String value = ConnectionSettings.value(pgUrl, info, PROPERTY);
        if (value == null) {
            return PlanCache.DEFAULT_MAX_BYTES;
        }
        try {
            long bytes = Long.parseLong(value.trim());
            if (bytes >= 0) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new SQLException(PROPERTY + " must be a number of bytes >= 0 (e.g. 33554432 for 32 MiB), got '"
                + value + "'", "08001");
    }
}
