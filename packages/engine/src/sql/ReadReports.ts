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
}

/** Up to `limit` reports in scope numbered after `afterId`, by number. */
export const selectReportPage = (
  db: Sql,
  scope: ReadScope,
  filter: ReportPageFilter,
  afterId: string | undefined,
  limit: number,
): Promise<ReportRow[]> => {
  let q = db.selectFrom("reports").selectAll().where(inScope(scope))
  if (filter.unit !== undefined) q = q.where("unit_key", "=", filter.unit)
  if (filter.task !== undefined) q = q.where("task_key", "=", filter.task)
  if (filter.status !== undefined) q = q.where("status", "=", filter.status)
  if (afterId !== undefined) q = q.where(sql<SqlBool>`id > ${afterId}::bigint`)
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
