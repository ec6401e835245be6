/**
 * Reports and their figures: written once by a submission, reviewed once by a coordinator —
 * both as rows of the command's step (`stepWrites`). Here: finding them, and a report's place.
 */

import { type RawBuilder, sql } from "kysely"
import type { TaskAddress } from "../Refs.ts"
import type { Sql } from "./Handle.ts"
import type { KeptFile, ReportSlot } from "./Locked.ts"

/** A report by id. */
export const reportById = (db: Sql, id: string) =>
  db.selectFrom("reports").selectAll().where("id", "=", id).executeTakeFirst()

/** The query of a task's latest report (its highest attempt): one step down the unique index. */
export const latestReportQuery = (db: Sql, task: TaskAddress) =>
  db
    .selectFrom("reports")
    .selectAll()
    .where("campaign_id", "=", task.campaign)
    .where("unit_key", "=", task.unit)
    .where("task_key", "=", task.task)
    .orderBy("attempt", "desc")
    .limit(1)

/** A task's latest report (its highest attempt), or nothing. */
export const latestReport = (db: Sql, task: TaskAddress) => latestReportQuery(db, task).executeTakeFirst()

/**
 * The select of a task's latest attempt (`attempt`) and that report's files in order (`files`,
 * JSON: `KeptFile`s), for a lateral join; no row when the task has no report.
 */
export const latestAttemptWithFiles = (
  campaign: RawBuilder<unknown>,
  unit: RawBuilder<unknown>,
  task: RawBuilder<unknown>,
) =>
  sql`select r.attempt, (select json_agg(json_build_object('id', f.id::text, 'sha256', f.sha256, 'name', f.name,
      'type', f.type, 'size', f.size::text) order by ra.position)
    from report_attachments ra join attachments f on f.id = ra.attachment_id where ra.report_id = r.id) as files
  from reports r where r.campaign_id = ${campaign} and r.unit_key = ${unit} and r.task_key = ${task}
  order by r.attempt desc limit 1`

/** A report's place from its id (taken from the sequence), the task's latest attempt and that report's files. */
export const reportSlotOf = (id: string, latest: number | null, files: KeptFile[] | null): ReportSlot => ({
  id,
  attempt: (latest ?? 0) + 1,
  kept: files ?? [],
})

/**
 * Takes the place of a task's next report in a statement of its own, for a command whose
 * machine's lock did not take it (`lockMachinesWithDue` does): the caller holds the machine.
 */
export const takeReportSlot = async (db: Sql, task: TaskAddress): Promise<ReportSlot> => {
  const { rows } = await sql<{ id: string; attempt: number | null; files: KeptFile[] | null }>`
    select nextval('reports_id_seq')::text as id, p.attempt, p.files
    from (select 1) one left join lateral (${latestAttemptWithFiles(
      sql`${task.campaign}`,
      sql`${task.unit}`,
      sql`${task.task}`,
    )}) p on true`.execute(db)
  const row = rows[0]
  if (row === undefined) throw new Error("a report's place came back empty")
  return reportSlotOf(row.id, row.attempt, row.files)
}
