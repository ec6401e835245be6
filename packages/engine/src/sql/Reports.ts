/** Reports and their figures: written once by a submission, reviewed once by a coordinator. */

import { sql } from "kysely"
import type { Sql } from "../Db.ts"
import type { TaskAddress } from "../Refs.ts"

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

/** A report as submitted. */
export interface Submission {
  readonly task: TaskAddress
  readonly narrative: Readonly<Record<string, string>>
  readonly by: string
  readonly at: string
}

/**
 * Records the review of a report still awaiting one: approved with its comment, or returned
 * with the reason. The report as reviewed, or nothing when it was not awaiting review.
 */
export const reviewSubmitted = (db: Sql, id: string, review: Review) =>
  db
    .updateTable("reports")
    .set(reviewColumns(review))
    .where("id", "=", id)
    .where("status", "=", "submitted")
    .returningAll()
    .executeTakeFirst()

/**
 * Records the review of a task's latest report when it awaits one, found in the same statement.
 * The report as reviewed, or nothing when the task has none or its latest is not awaiting review.
 */
export const reviewLatestSubmitted = (db: Sql, task: TaskAddress, review: Review) =>
  db
    .updateTable("reports")
    .set(reviewColumns(review))
    .where("id", "=", latestReportQuery(db, task).clearSelect().select("id"))
    .where("status", "=", "submitted")
    .returningAll()
    .executeTakeFirst()

/** A review's decision, who made it and when, and its reason or comment. */
export interface Review {
  readonly status: "approved" | "returned"
  readonly by: string
  readonly at: string
  readonly reason: string | null
  readonly comment: string | null
}

const reviewColumns = (review: Review) => ({
  status: review.status,
  reviewed_by: review.by,
  reviewed_at: review.at,
  return_reason: review.reason,
  review_comment: review.comment,
})

/** A file a submitted report carries, as the journal describes it. */
export interface CarriedFile {
  readonly sha256: string
  readonly name: string
  readonly type: string
  readonly size: string
}

/**
 * Stores a submitted report in one statement: its attempt (one after the task's last), its
 * figures (exact decimals as text, in the order given, as readers list them), and the files it carries — the uploads `files` names in
 * order (checked by the caller), or with `keep` those of the task's previous report. Its id,
 * attempt and files, in order.
 */
export const submitReportRows = async (
  db: Sql,
  submission: Submission & {
    readonly figures: Readonly<Record<string, string>>
    readonly files: { readonly keep: true } | { readonly named: ReadonlyArray<string> }
  },
): Promise<{ id: string; attempt: number; files: ReadonlyArray<CarriedFile> }> => {
  const { task } = submission
  const files =
    "keep" in submission.files
      ? sql`select ra.position, a.id, a.sha256, a.name, a.type, a.size::text as size
          from report_attachments ra join attachments a on a.id = ra.attachment_id
          where ra.report_id = (select id from previous)`
      : sql`select (n.position - 1)::int as position, a.id, a.sha256, a.name, a.type, a.size::text as size
          from unnest(${[...submission.files.named]}::bigint[]) with ordinality as n(id, position)
          join attachments a on a.id = n.id`
  const { rows } = await sql<{ id: string; attempt: number; files: CarriedFile[] }>`
    with previous as (
      select id, attempt from reports
      where campaign_id = ${task.campaign} and unit_key = ${task.unit} and task_key = ${task.task}
      order by attempt desc limit 1
    ), inserted as (
      insert into reports (campaign_id, unit_key, task_key, attempt, status, narrative, submitted_by, submitted_at)
      select ${task.campaign}, ${task.unit}, ${task.task}, coalesce((select attempt from previous), 0) + 1,
        'submitted', ${JSON.stringify(submission.narrative)}::jsonb, ${submission.by}, ${submission.at}::timestamptz
      returning id, attempt
    ), figures as (
      insert into report_figures (report_id, figure_key, value)
      select i.id, f.pair->>0, (f.pair->>1)::numeric
      from inserted i cross join jsonb_array_elements(${JSON.stringify(Object.entries(submission.figures))}::jsonb)
        with ordinality as f(pair, n)
      order by f.n
    ), files as (${files}), carried as (
      insert into report_attachments (report_id, position, attachment_id)
      select i.id, f.position, f.id from inserted i cross join files f
    )
    select i.id::text as id, i.attempt,
      coalesce((select json_agg(json_build_object('sha256', f.sha256, 'name', f.name, 'type', f.type, 'size', f.size)
        order by f.position) from files f), '[]'::json) as files
    from inserted i`.execute(db)
  const row = rows[0]
  if (row === undefined) throw new Error("a report's insert returned no row")
  return { id: row.id, attempt: Number(row.attempt), files: row.files }
}
