/** Reports and their figures: written once by a submission, reviewed once by a coordinator. */

import type { Sql } from "../Db.ts"
import type { TaskAddress } from "../Refs.ts"

/** A report by id. */
export const reportById = (db: Sql, id: string) =>
  db.selectFrom("reports").selectAll().where("id", "=", id).executeTakeFirst()

/** A task's latest report (its highest attempt), or nothing. */
export const latestReport = (db: Sql, task: TaskAddress) =>
  db
    .selectFrom("reports")
    .selectAll()
    .where("campaign_id", "=", task.campaign)
    .where("unit_key", "=", task.unit)
    .where("task_key", "=", task.task)
    .orderBy("attempt", "desc")
    .limit(1)
    .executeTakeFirst()

/** Locks a report for its review. */
export const lockReport = (db: Sql, id: string) =>
  db.selectFrom("reports").selectAll().where("id", "=", id).forUpdate().executeTakeFirstOrThrow()

/** How many reports the task has had (its last attempt number; 0 before the first). */
export const lastAttempt = (db: Sql, task: TaskAddress) =>
  db
    .selectFrom("reports")
    .select((eb) => eb.fn.max("attempt").as("attempt"))
    .where("campaign_id", "=", task.campaign)
    .where("unit_key", "=", task.unit)
    .where("task_key", "=", task.task)
    .executeTakeFirst()
    .then((row) => Number(row?.attempt ?? 0))

/** A report as submitted. */
export interface Submission {
  readonly task: TaskAddress
  readonly attempt: number
  readonly narrative: Readonly<Record<string, string>>
  readonly by: string
  readonly at: string
}

/** Stores a submitted report; its id. */
export const insertReport = (db: Sql, submission: Submission) =>
  db
    .insertInto("reports")
    .values({
      campaign_id: submission.task.campaign,
      unit_key: submission.task.unit,
      task_key: submission.task.task,
      attempt: submission.attempt,
      status: "submitted",
      narrative: JSON.stringify(submission.narrative),
      submitted_by: submission.by,
      submitted_at: submission.at,
    })
    .returning("id")
    .executeTakeFirstOrThrow()
    .then((row) => row.id)

/** Stores a report's figures (exact decimals as text). */
export const insertFigures = (db: Sql, reportId: string, figures: ReadonlyArray<readonly [string, string]>) =>
  db
    .insertInto("report_figures")
    .values(figures.map(([key, value]) => ({ report_id: reportId, figure_key: key, value })))
    .execute()

/** Records a report's review: approved with its comment, or returned with the reason. */
export const reviewReport = (
  db: Sql,
  id: string,
  review: {
    readonly status: "approved" | "returned"
    readonly by: string
    readonly at: string
    readonly reason: string | null
    readonly comment: string | null
  },
) =>
  db
    .updateTable("reports")
    .set({
      status: review.status,
      reviewed_by: review.by,
      reviewed_at: review.at,
      return_reason: review.reason,
      review_comment: review.comment,
    })
    .where("id", "=", id)
    .execute()
