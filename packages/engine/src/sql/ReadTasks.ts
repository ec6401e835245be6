/**
 * The task read model's statements: keyset pages of the tasks an actor may
 * read, one task, and the units × phases counts of the status table.
 */
import type { Database, TaskRow } from "@liandong/store"
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely"
import type { Sql } from "../Db.ts"

/** Per campaign, the units whose rows a reader may see: all, or these keys. */
export type ReadScope = ReadonlyMap<string, "all" | ReadonlySet<string>>

/** Narrows a listing to the scope's campaigns and, where it says so, their units. */
export const inScope =
  (scope: ReadScope) =>
  (eb: ExpressionBuilder<Database, "tasks" | "reports">): Expression<SqlBool> =>
    eb.or(
      [...scope].map(([id, readable]) => {
        const inCampaign = eb("campaign_id", "=", id)
        return readable === "all"
          ? inCampaign
          : eb.and([inCampaign, eb("unit_key", "in", readable.size > 0 ? [...readable] : [""])])
      }),
    )

/** Filters of a task page. */
export interface TaskPageFilter {
  readonly unit?: string | undefined
  readonly phase?: string | undefined
  readonly status?: TaskRow["status"] | undefined
}

/** Up to `limit` tasks in scope after the key (campaign, deadline, unit, task), in that order. */
export const selectTaskPage = (
  db: Sql,
  scope: ReadScope,
  filter: TaskPageFilter,
  after: readonly [string, string, string, string] | undefined,
  limit: number,
): Promise<TaskRow[]> => {
  let q = db.selectFrom("tasks").selectAll().where(inScope(scope))
  if (filter.unit !== undefined) q = q.where("unit_key", "=", filter.unit)
  if (filter.phase !== undefined) q = q.where("phase_key", "=", filter.phase)
  if (filter.status !== undefined) q = q.where("status", "=", filter.status)
  if (after !== undefined) {
    const [campaign, deadline, unit, task] = after
    q = q.where(
      sql<SqlBool>`(campaign_id, deadline, unit_key, task_key) > (${campaign}, ${deadline}::timestamptz, ${unit}, ${task})`,
    )
  }
  return q.orderBy("campaign_id").orderBy("deadline").orderBy("unit_key").orderBy("task_key").limit(limit).execute()
}

/** One unit task, or undefined. */
export const selectTask = (db: Sql, campaign: string, unit: string, task: string): Promise<TaskRow | undefined> =>
  db
    .selectFrom("tasks")
    .selectAll()
    .where("campaign_id", "=", campaign)
    .where("unit_key", "=", unit)
    .where("task_key", "=", task)
    .executeTakeFirst()

/** The counts behind one cell of the status table: a unit's tasks in one phase. */
export interface StatusCounts {
  readonly unit_key: string
  readonly phase_key: string
  readonly total: number
  readonly approved: number
  readonly waiting: number
  readonly closed: number
  readonly overdue: number
  readonly returned: number
  readonly assigned: number
  readonly acknowledged: number
  readonly submitted: number
  /** the earliest deadline of a task overdue and not approved */
  readonly overdue_since: Date | null
  /** the earliest deadline of a task not yet reported (assigned, acknowledged or returned) */
  readonly unreported_due: Date | null
}

/**
 * Per unit and phase, how many tasks there are and how many are in each state, overdue, with
 * the earliest overdue and the earliest unreported deadline: one grouped scan, linear in units.
 */
export const selectStatusCounts = (
  db: Sql,
  campaign: string,
  units: "all" | ReadonlyArray<string>,
): Promise<StatusCounts[]> => {
  let q = db
    .selectFrom("tasks")
    .select(["unit_key", "phase_key"])
    .select((eb) => [
      eb.fn.countAll<string>().as("total"),
      eb.fn.countAll<string>().filterWhere("status", "=", "approved").as("approved"),
      eb.fn.countAll<string>().filterWhere("status", "=", "waiting").as("waiting"),
      eb.fn.countAll<string>().filterWhere("status", "=", "closed").as("closed"),
      eb.fn
        .countAll<string>()
        .filterWhere((w) => w.and([w("overdue", "=", true), w("status", "!=", "approved")]))
        .as("overdue"),
      eb.fn.countAll<string>().filterWhere("status", "=", "returned").as("returned"),
      eb.fn.countAll<string>().filterWhere("status", "=", "assigned").as("assigned"),
      eb.fn.countAll<string>().filterWhere("status", "=", "acknowledged").as("acknowledged"),
      eb.fn.countAll<string>().filterWhere("status", "=", "submitted").as("submitted"),
      eb.fn
        .min("deadline")
        .filterWhere((w) => w.and([w("overdue", "=", true), w("status", "!=", "approved")]))
        .as("overdue_since"),
      eb.fn.min("deadline").filterWhere("status", "in", ["assigned", "acknowledged", "returned"]).as("unreported_due"),
    ])
    .where("campaign_id", "=", campaign)
  if (units !== "all") q = q.where("unit_key", "in", units.length > 0 ? [...units] : [""])
  return q
    .groupBy(["unit_key", "phase_key"])
    .execute()
    .then((rows) =>
      rows.map((row) => ({
        unit_key: row.unit_key,
        phase_key: row.phase_key,
        total: Number(row.total),
        approved: Number(row.approved),
        waiting: Number(row.waiting),
        closed: Number(row.closed),
        overdue: Number(row.overdue),
        returned: Number(row.returned),
        assigned: Number(row.assigned),
        acknowledged: Number(row.acknowledged),
        submitted: Number(row.submitted),
        overdue_since: row.overdue_since === null ? null : new Date(row.overdue_since),
        unreported_due: row.unreported_due === null ? null : new Date(row.unreported_due),
      })),
    )
}

/** Every task of a campaign (the accountability table). */
export const selectCampaignTasks = (db: Sql, campaign: string): Promise<TaskRow[]> =>
  db.selectFrom("tasks").selectAll().where("campaign_id", "=", campaign).execute()
