/** The summary read's statement: the latest stored summary of a campaign in one format. */
import type { Sql } from "../Db.ts"

/** The latest stored summary in `format`, or undefined before the campaign wrote one. */
export const selectLatestSummary = (db: Sql, campaign: string, format: string) =>
  db
    .selectFrom("summaries")
    .select(["version", "content", "hash", "journal_seq", "created_at"])
    .where("campaign_id", "=", campaign)
    .where("format", "=", format)
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst()
