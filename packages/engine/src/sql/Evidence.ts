/**
 * The evidence's statements: what an export and a verification read besides
 * the journal and checkpoints (readRecord.ts) — machines, definitions, stored
 * reports and figures, summary documents — and the reports the accountability
 * table is made of.
 */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** Makes the rest of this transaction read one snapshot, and nothing else. */
export const readOneSnapshot = (db: Sql): Promise<unknown> =>
  sql`set transaction isolation level repeatable read, read only`.execute(db)

/** How long the campaign says its journal is. */
export const selectJournalLength = (db: Sql, campaign: string): Promise<number> =>
  db
    .selectFrom("campaigns")
    .select("journal_seq")
    .where("id", "=", campaign)
    .executeTakeFirstOrThrow()
    .then((row) => row.journal_seq)

/** A machine as the verifier sees it. */
export interface MachineEvidence {
  readonly id: string
  readonly kind: "campaign" | "unit"
  readonly unit_key: string | null
  readonly machine_hash: string
}

/** The campaign's machines by id, without snapshots. */
export const selectMachineHeads = (db: Sql, campaign: string): Promise<MachineEvidence[]> =>
  db
    .selectFrom("machines")
    .select(["id", "kind", "unit_key", "machine_hash"])
    .where("campaign_id", "=", campaign)
    .orderBy("id")
    .execute()

/** Up to `limit` of the campaign's machines with ids after `afterId` (or all of them), with snapshots, by id. */
export const selectMachineSnapshots = (
  db: Sql,
  campaign: string,
  afterId: string | undefined,
  limit?: number,
): Promise<Array<MachineEvidence & { snapshot: unknown }>> => {
  let q = db
    .selectFrom("machines")
    .select(["id", "kind", "unit_key", "machine_hash", "snapshot"])
    .where("campaign_id", "=", campaign)
  if (afterId !== undefined) q = q.where("id", ">", afterId)
  q = q.orderBy("id")
  return (limit === undefined ? q : q.limit(limit)).execute()
}

/** Every definition the campaign was deployed with, by hash. */
export const selectDefinitions = (db: Sql, campaign: string): Promise<Array<{ hash: string; body: unknown }>> =>
  db.selectFrom("definitions").select(["hash", "body"]).where("key", "=", campaign).execute()

/** The campaign's summary documents, by version and format. */
export const selectSummaryDocuments = (
  db: Sql,
  campaign: string,
): Promise<Array<{ version: number; format: string; content: string }>> =>
  db
    .selectFrom("summaries")
    .select(["version", "format", "content"])
    .where("campaign_id", "=", campaign)
    .orderBy("version")
    .orderBy("format")
    .execute()

/** Up to `limit` of the campaign's stored reports with numbers after `afterId` (or all of them), by number. */
export const selectStoredReports = (db: Sql, campaign: string, afterId: string | undefined, limit?: number) => {
  let q = db
    .selectFrom("reports")
    .select(["id", "unit_key", "task_key", "attempt", "submitted_by", "narrative", "status"])
    .select(["reviewed_by", "return_reason", "review_comment"])
    .where("campaign_id", "=", campaign)
  if (afterId !== undefined) q = q.where("id", ">", afterId)
  q = q.orderBy("id")
  return (limit === undefined ? q : q.limit(limit)).execute()
}

/** The figures of every report of the campaign. */
export const selectCampaignFigures = (
  db: Sql,
  campaign: string,
): Promise<Array<{ report_id: string; figure_key: string; value: string }>> =>
  db
    .selectFrom("report_figures")
    .innerJoin("reports", "reports.id", "report_figures.report_id")
    .select(["report_figures.report_id", "report_figures.figure_key", "report_figures.value"])
    .where("reports.campaign_id", "=", campaign)
    .execute()

/** The review history of every report of the campaign, attempts in order (the accountability table). */
export const selectReportHistory = (db: Sql, campaign: string) =>
  db
    .selectFrom("reports")
    .select(["unit_key", "task_key", "attempt", "status", "submitted_at", "reviewed_by", "reviewed_at"])
    .where("campaign_id", "=", campaign)
    .orderBy("attempt")
    .execute()
