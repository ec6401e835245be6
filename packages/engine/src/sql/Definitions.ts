/** Deployed definitions and the campaign rows that pin them. */
import type { Sql } from "../Db.ts"

/** A campaign's row and the hash of the definition it pins, or nothing. */
export const campaignWithHash = (db: Sql, campaignId: string) =>
  db
    .selectFrom("campaigns")
    .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
    .selectAll("campaigns")
    .select("definitions.hash")
    .where("campaigns.id", "=", campaignId)
    .executeTakeFirst()

/** The body of a campaign's definition with the content hash `hash`. */
export const definitionBody = (db: Sql, campaignId: string, hash: string) =>
  db
    .selectFrom("definitions")
    .select("body")
    .where("hash", "=", hash)
    .where("key", "=", campaignId)
    .executeTakeFirstOrThrow()
    .then((row) => row.body)
