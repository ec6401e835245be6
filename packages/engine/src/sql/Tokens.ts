/** The token statements: a token's row is its id, its principal and the SHA-256 of its secret. */
import type { Sql } from "../Db.ts"

/** Stores a new token. */
export const insertToken = (
  db: Sql,
  token: { id: string; principal: string; secretHash: string; label: string | null; expiresAt: Date | null },
): Promise<unknown> =>
  db
    .insertInto("tokens")
    .values({
      id: token.id,
      principal_id: token.principal,
      secret_hash: token.secretHash,
      label: token.label,
      expires_at: token.expiresAt,
    })
    .execute()

/** Revokes a token not yet revoked; true when one was. */
export const revokeTokenRow = (db: Sql, id: string, at: Date): Promise<boolean> =>
  db
    .updateTable("tokens")
    .set({ revoked_at: at })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst()
    .then((result) => Number(result.numUpdatedRows) > 0)

/** Every token without its secret's hash, oldest first. */
export const selectTokens = (db: Sql) =>
  db
    .selectFrom("tokens")
    .select(["id", "principal_id", "label", "created_at", "expires_at", "revoked_at", "last_used_at"])
    .orderBy("created_at")
    .execute()

/** A token with what authenticating it needs to know of its principal, or undefined. */
export const selectTokenForAuthentication = (db: Sql, id: string) =>
  db
    .selectFrom("tokens")
    .innerJoin("principals", "principals.id", "tokens.principal_id")
    .select([
      "tokens.secret_hash",
      "tokens.expires_at",
      "tokens.revoked_at",
      "principals.id",
      "principals.role",
      "principals.unit_key",
      "principals.disabled_at",
    ])
    .where("tokens.id", "=", id)
    .executeTakeFirst()

/** Records that a token was used. */
export const markTokenUsed = (db: Sql, id: string, at: Date): Promise<unknown> =>
  db.updateTable("tokens").set({ last_used_at: at }).where("id", "=", id).execute()
