package io.dualwrite.migrator;

import io.dualwrite.rewriter.Identifiers;
import io.dualwrite.rewriter.MigrationSpec;

import java.nio.charset.StandardCharsets;

/**
 * One class of identifiers that need care, applied to every name a migration has: source schema, table, key and
 * (old) column, target schema, table, key, value (new) column and primary flag. The migration's own name is made
 * from the first four, so it carries the same characters.
 */
enum HostileNames {

    QUOTES_AND_SPACES("Sa\"les Team", "Ac\"count \"Holders\"", "User \"ID\"", "E \"mail\" 'x'", "Mail \"Box\"",
            "Addr \"Rows\"", "Owner \"ID\"", "Ad \"dress\"", "Is \"Primary\""),
    MIXED_CASE("SalesTeam", "AccountHolders", "UserId", "EMail", "MailBox", "AddrRows", "OwnerId", "Address", "IsPrimary"),
    UNICODE("Équipe Ventes", "Кунден", "用户号", "Ünïcødé ✉", "Boîte", "Adresses 🏠", "Eigentümer", "Ädresse", "Primär"),
    RESERVED_WORDS("order", "user", "select", "from", "group", "table", "where", "column", "primary"),
    DOLLAR_AND_DOT("app.v2", "us$ers.t", "i$d", "e.mail$1", "new.$schema", "ema$il.addr", "u$er.id", "addr.ess$", "is.prim$ary"),
    /** Every name exactly 63 bytes (NAMEDATALEN - 1), in two-byte characters: the longest PostgreSQL keeps. */
    LONG_63_BYTES(long63("Schéma source "), long63("Tablé source "), long63("Clé "), long63("Colonne "),
            long63("Schéma cible "), long63("Tablé cible "), long63("Clé cible "), long63("Valeur "), long63("Drapeau "));

    final String schema;
    final String table;
    final String key;
    final String column;
    final String targetSchema;
    final String targetTable;
    final String targetKey;
    final String targetValue;
    final String flag;

    HostileNames(String schema, String table, String key, String column, String targetSchema, String targetTable,
                 String targetKey, String targetValue, String flag) {
        this.schema = schema;
        this.table = table;
        this.key = key;
        this.column = column;
        this.targetSchema = targetSchema;
        this.targetTable = targetTable;
        this.targetKey = targetKey;
        this.targetValue = targetValue;
        this.flag = flag;
    }

    /** {@code prefix} padded with 'é' (and one 'x' when the bytes are odd) to exactly 63 bytes. */
    static String long63(String prefix) {
        StringBuilder b = new StringBuilder(prefix);
        while (bytes(b.toString()) + 2 <= 63) {
            b.append('é');
        }
        if (bytes(b.toString()) < 63) {
            b.append('x');
        }
        return b.toString();
    }

    static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    String source() {
        return q(schema) + "." + q(table);
    }

    String target() {
        return q(targetSchema) + "." + q(targetTable);
    }

    /** The migration's name as {@code expand} registers it (parts with a dot quoted). */
    String migration() {
        return MigrationSpec.nameOf(schema, table, column);
    }

    static String q(String name) {
        return Identifiers.quote(name);
    }
}
