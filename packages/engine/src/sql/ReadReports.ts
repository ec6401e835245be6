/**
 * The report read model's statements: keyset pages of the reports an actor
 * may read, their figures, one report and every attempt at its task.
 */
import type { ReportRow } from "@liandong/store"
import { type SqlBool, sql } from "kysely"
import type { Sql } from "../Db.ts"
import { inScope, type ReadScope } from "./ReadTasks.ts"

/** Filters of a report page. */
export interface ReportPageFilter {
  readonly unit?: string | undefined
  readonly task?: string | undefined
  readonly status?: ReportRow["status"] | undefined
  readonly phase?: string | undefined
  /** only these units (a level's); empty: none */
  readonly units?: ReadonlyArray<string> | undefined
  /** only reports submitted after their task's deadline (true) or by it (false) */
  readonly late?: boolean | undefined
  /** words found in the narrative, or units (by key) whose name holds them */
  readonly search?: { readonly text: string; readonly units: ReadonlyArray<string> } | undefined
  readonly sort?: ReportSort | undefined
}

/** The orders of a report page: by number (submission), by unit, or by the task's deadline. */
export type ReportSort = "submitted" | "unit" | "deadline"

/** The key a page continues after: the sort value (none for "submitted") and the number. */
export type ReportAfter = readonly [string] | readonly [string, string]

const deadlineOf = sql<Date>`(select t.deadline from tasks t
  where t.campaign_id = reports.campaign_id and t.unit_key = reports.unit_key and t.task_key = reports.task_key)`

const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** Up to `limit` reports in scope after `after`, in the order asked for (then by number). */
export const selectReportPage = (
  db: Sql,
  scope: ReadScope,
  filter: ReportPageFilter,
  after: ReportAfter | undefined,
  limit: number,
): Promise<Array<ReportRow & { task_deadline: Date | string | null }>> => {
  let q = db.selectFrom("reports").selectAll().select(deadlineOf.as("task_deadline")).where(inScope(scope))
  if (filter.unit !== undefined) q = q.where("unit_key", "=", filter.unit)
  if (filter.task !== undefined) q = q.where("task_key", "=", filter.task)
  if (filter.status !== undefined) q = q.where("status", "=", filter.status)
  if (filter.units !== undefined) q = q.where("unit_key", "in", filter.units.length > 0 ? [...filter.units] : [""])
  if (filter.phase !== undefined) {
    const phase = filter.phase
    q = q.where(
      sql<SqlBool>`exists (select 1 from tasks t where t.campaign_id = reports.campaign_id
        and t.unit_key = reports.unit_key and t.task_key = reports.task_key and t.phase_key = ${phase})`,
    )
  }
  if (filter.late !== undefined)
    q = q.where(filter.late ? sql<SqlBool>`submitted_at > ${deadlineOf}` : sql<SqlBool>`submitted_at <= ${deadlineOf}`)
  if (filter.search !== undefined) {
    const { text, units } = filter.search
    q = q.where((eb) =>
      eb.or([
        sql<SqlBool>`narrative::text ilike ${likeText(text)}`,
        eb("unit_key", "in", units.length > 0 ? [...units] : [""]),
      ]),
    )
  }
  const sort = filter.sort ?? "submitted"
  if (after !== undefined) {
    const id = after[after.length - 1] as string
    if (after.length === 1) q = q.where(sql<SqlBool>`id > ${id}::bigint`)
    else if (sort === "unit") q = q.where(sql<SqlBool>`(unit_key, id) > (${after[0]}, ${id}::bigint)`)
    else q = q.where(sql<SqlBool>`(${deadlineOf}, id) > (${after[0]}::timestamptz, ${id}::bigint)`)
  }
  if (sort === "unit") q = q.orderBy("unit_key")
  if (sort === "deadline") q = q.orderBy(deadlineOf)
  return q.orderBy("id").limit(limit).execute()
}

/** The figures of these reports, by figure key. */
export const selectFigures = (
  db: Sql,
  reportIds: ReadonlyArray<string>,
): Promise<Array<{ report_id: string; figure_key: string; value: string }>> =>
  reportIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("report_figures")
        .select(["report_id", "figure_key", "value"])
        .where("report_id", "in", [...reportIds])
        .orderBy("figure_key")
        .execute()

/** One report by number, or undefined. */
export const selectReport = (db: Sql, id: string): Promise<ReportRow | undefined> =>
  db.selectFrom("reports").selectAll().where("id", "=", id).executeTakeFirst()

/** Every attempt at one unit task, first to last. */
export const selectAttempts = (db: Sql, campaign: string, unit: string, task: string): Promise<ReportRow[]> =>
  db
    .selectFrom("reports")
    .selectAll()
    .where("campaign_id", "=", campaign)
    .where("unit_key", "=", unit)
    .where("task_key", "=", task)
    .orderBy("attempt")
    .execute()
