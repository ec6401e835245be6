/** The record's statements: journal pages (the trail), the whole journal, and signed checkpoints. */
import type { CheckpointRow, JournalRow } from "@liandong/store"
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** What a journal page keeps: rows about a unit, by an actor, about a task, in a time window, after a seq. */
export interface JournalPageFilter {
  readonly unit?: string | undefined
  readonly actor?: string | undefined
  readonly task?: string | undefined
  readonly since?: Date | undefined
  readonly until?: Date | undefined
  /** only rows about these units (what a reader may read); undefined: every row */
  readonly units?: ReadonlyArray<string> | undefined
  readonly afterSeq?: number | undefined
  readonly limit?: number | undefined
}

/** The campaign's journal rows that pass the filter, in order of seq. */
export const selectJournalPage = (db: Sql, campaign: string, filter: JournalPageFilter): Promise<JournalRow[]> => {
  let q = db.selectFrom("journal").selectAll().where("campaign_id", "=", campaign).orderBy("seq")
  if (filter.unit !== undefined) q = q.where("unit_key", "=", filter.unit)
  if (filter.actor !== undefined) q = q.where("actor", "=", filter.actor)
  if (filter.task !== undefined) q = q.where(sql<string>`payload ->> 'task'`, "=", filter.task)
  if (filter.since !== undefined) q = q.where("occurred_at", ">=", filter.since)
  if (filter.until !== undefined) q = q.where("occurred_at", "<", filter.until)
  if (filter.units !== undefined) q = q.where("unit_key", "in", filter.units.length > 0 ? [...filter.units] : [""])
  if (filter.afterSeq !== undefined) q = q.where("seq", ">", filter.afterSeq)
  if (filter.limit !== undefined) q = q.limit(filter.limit)
  return q.execute()
}

/** Up to `limit` of the campaign's journal rows after `afterSeq` (or from the start), in order of seq. */
export const selectJournalAfter = (
  db: Sql,
  campaign: string,
  afterSeq: number | undefined,
  limit?: number,
): Promise<JournalRow[]> => {
  let q = db.selectFrom("journal").selectAll().where("campaign_id", "=", campaign)
  if (afterSeq !== undefined) q = q.where("seq", ">", afterSeq)
  q = q.orderBy("seq")
  return (limit === undefined ? q : q.limit(limit)).execute()
}

/** The content recorded on one journal row. */
export const selectJournalContent = (db: Sql, campaign: string, seq: number): Promise<unknown> =>
  db
    .selectFrom("journal")
    .select("content")
    .where("campaign_id", "=", campaign)
    .where("seq", "=", seq)
    .executeTakeFirst()
    .then((row) => row?.content ?? null)

/** The campaign's signed checkpoints, oldest first. */
export const selectCheckpoints = (db: Sql, campaign: string): Promise<CheckpointRow[]> =>
  db.selectFrom("checkpoints").selectAll().where("campaign_id", "=", campaign).orderBy("id").execute()
