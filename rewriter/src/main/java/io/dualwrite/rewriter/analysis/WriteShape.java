package io.dualwrite.rewriter.analysis;

import java.util.Set;

/**
 * What the lexer-level analysis knows about an INSERT, UPDATE or DELETE whose target is the
 * source table.
 *
 * @param qualifier how the target row is named in RETURNING: the alias, or the table as written
 * @param hasAlias  whether {@code qualifier} is an alias (INSERT without alias needs no qualifier)
 * @param assigned  normalized columns assigned by UPDATE … SET or ON CONFLICT … DO UPDATE SET
 * @param setList   the index of the first token after that SET, or -1 when there is none
 */
public record WriteShape(Verb verb, String qualifier, boolean hasAlias, boolean hasReturning,
                         Set<String> assigned, int setList) {

    public enum Verb { INSERT, UPDATE, DELETE }
}
