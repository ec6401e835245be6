/**
 * Totals from approved reports, summed in SQL on numeric (never floating
 * point), with the reports each total came from.
 */
import type { Database } from "@liandong/store"
import type { Campaign } from "@liandong/workflow"
import { type Kysely, sql } from "kysely"

/** One unit's contribution to a total, and where it is recorded. */
export interface Contribution {
  readonly unit: string
  readonly report: string
  readonly value: string
  /** the journal row (seq) that approved the report */
  readonly journal: number | null
}

/** The total of one figure of one task. */
export interface FigureTotal {
  readonly task: string
  readonly figure: string
  /** exact decimal text, by the figure's aggregation */
  readonly total: string
  readonly contributions: ReadonlyArray<Contribution>
}

/** An approved report, as the summary uses it. */
export interface ApprovedReport {
  readonly id: string
  readonly unit: string
  readonly task: string
  readonly attempt: number
  readonly submittedAt: Date
  readonly approvedAt: Date | null
  readonly approvedBy: string | null
  readonly narrative: Readonly<Record<string, string>>
  readonly figures: Readonly<Record<string, string>>
  /** the files (佐证材料) it carries, in order: name and SHA-256 */
  readonly attachments?: ReadonlyArray<{ readonly name: string; readonly sha256: string }>
}

/** Which units a summary covers: all, or a unit and its subordinates (a level of the hierarchy). */
export type Scope = "all" | ReadonlySet<string>

/** The latest approved report of every unit (in scope) and task, as a query to select from. */
export const latestApproved = (db: Kysely<Database>, campaignId: string, scope: Scope) => {
  const query = db
    .selectFrom("reports")
    .select(["id", "unit_key", "task_key", "attempt", "submitted_at", "reviewed_at", "reviewed_by", "narrative"])
    .distinctOn(["unit_key", "task_key"])
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "approved")
    .orderBy("unit_key")
    .orderBy("task_key")
    .orderBy("attempt", "desc")
  // One array parameter, not one per unit: a national level has more units than a statement takes parameters.
  return scope === "all" ? query : query.where(sql<boolean>`unit_key = any(${[...scope]}::text[])`)
}

/** The journal row that approved each report: report id → seq. */
export const loadApprovals = async (db: Kysely<Database>, campaignId: string): Promise<Map<string, number>> => {
  const rows = await db
    .selectFrom("journal")
    .select(["seq", sql<string>`payload ->> 'report'`.as("report")])
    .where("campaign_id", "=", campaignId)
    .where("event", "=", "task.approve")
    .execute()
  return new Map(rows.map((r) => [r.report, r.seq]))
}

/** The latest approved report of every unit and task. */
export const loadApprovedReports = async (
  db: Kysely<Database>,
  campaignId: string,
  scope: Scope = "all",
): Promise<ApprovedReport[]> => {
  const reports = await latestApproved(db, campaignId, scope).execute()
  const figures =
    reports.length === 0
      ? []
      : await db
          .selectFrom("report_figures")
          .select(["report_id", "figure_key", "value"])
          .where(sql<boolean>`report_id = any(${reports.map((r) => r.id)}::bigint[])`)
          .execute()
  const files =
    reports.length === 0
      ? []
      : await db
          .selectFrom("report_attachments")
          .innerJoin("attachments", "attachments.id", "report_attachments.attachment_id")
          .select(["report_attachments.report_id", "attachments.name", "attachments.sha256"])
          .where(sql<boolean>`report_attachments.report_id = any(${reports.map((r) => r.id)}::bigint[])`)
          .orderBy("report_attachments.report_id")
          .orderBy("report_attachments.position")
          .execute()
  const filesOf = new Map<string, Array<{ name: string; sha256: string }>>()
  for (const f of files) {
    const list = filesOf.get(String(f.report_id)) ?? []
    list.push({ name: f.name, sha256: f.sha256 })
    filesOf.set(String(f.report_id), list)
  }
  const byReport = new Map<string, Record<string, string>>()
  for (const f of figures) {
    const entry = byReport.get(f.report_id) ?? {}
    entry[f.figure_key] = f.value
    byReport.set(f.report_id, entry)
  }
  return reports.map((r) => ({
    id: r.id,
    unit: r.unit_key,
    task: r.task_key,
    attempt: r.attempt,
    submittedAt: r.submitted_at,
    approvedAt: r.reviewed_at,
    approvedBy: r.reviewed_by,
    narrative: r.narrative,
    figures: byReport.get(r.id) ?? {},
    ...(filesOf.has(String(r.id)) ? { attachments: filesOf.get(String(r.id)) } : {}),
  }))
}

/** Exact totals of every figure over the latest approved reports, with their contributions. */
export const loadTotals = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
  scope: Scope = "all",
): Promise<FigureTotal[]> => {
  const latest = latestApproved(db, campaignId, scope).as("latest")
  const approvals = await loadApprovals(db, campaignId)
  const sums = await db
    .selectFrom("report_figures")
    .innerJoin(latest, "latest.id", "report_figures.report_id")
    .select((eb) => [
      "latest.task_key as task",
      "report_figures.figure_key as figure",
      eb.cast<string>(eb.fn.sum("report_figures.value"), "text").as("sum"),
      eb.cast<string>(eb.fn.max("report_figures.value"), "text").as("max"),
      eb.cast<string>(eb.fn.min("report_figures.value"), "text").as("min"),
    ])
    .groupBy(["latest.task_key", "report_figures.figure_key"])
    .execute()
  const rows = await db
    .selectFrom("report_figures")
    .innerJoin(latest, "latest.id", "report_figures.report_id")
    .select([
      "latest.task_key as task",
      "latest.unit_key as unit",
      "latest.id as report",
      "report_figures.figure_key as figure",
      "report_figures.value",
    ])
    .execute()
  const out: FigureTotal[] = []
  const order = new Map(campaign.units.map((u, i) => [u.key, i]))
  for (const phase of campaign.phases) {
    for (const task of phase.tasks) {
      for (const figure of task.figures) {
        const sum = sums.find((s) => s.task === task.key && s.figure === figure.key)
        const contributions = rows
          .filter((r) => r.task === task.key && r.figure === figure.key)
          .map((r) => ({ unit: r.unit, report: r.report, value: r.value, journal: approvals.get(r.report) ?? null }))
          .sort((a, b) => (order.get(a.unit) ?? 0) - (order.get(b.unit) ?? 0))
        const total = sum === undefined ? "0" : (sum[figure.aggregate] ?? "0")
        out.push({ task: task.key, figure: figure.key, total: normalize(total), contributions })
      }
    }
  }
  return out
}

/** numeric text as canonical decimal: no trailing zeros after the point. */
export const normalize = (value: string): string =>
  value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value
