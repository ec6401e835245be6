/** Tasks reported on time or late, per phase: the second chart of the summary. */
import type { Database } from "@liandong/store"
import type { Campaign } from "@liandong/workflow"
import { type Kysely, sql } from "kysely"
import type { Scope } from "./Totals.ts"

/** Counts for one phase. */
export interface PhaseTimeliness {
  readonly phase: string
  readonly name: string
  readonly onTime: number
  readonly late: number
  readonly missing: number
}

/** For each phase: tasks first reported by their deadline, after it, or never (counted in SQL, not row by row). */
export const loadTimeliness = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
  scope: Scope = "all",
): Promise<PhaseTimeliness[]> => {
  const counts = await db
    .selectFrom("tasks")
    .leftJoin(
      (eb) =>
        eb
          .selectFrom("reports")
          .select(["unit_key", "task_key", (e) => e.fn.min("submitted_at").as("first")])
          .where("campaign_id", "=", campaignId)
          .groupBy(["unit_key", "task_key"])
          .as("first_reports"),
      (join) =>
        join
          .onRef("first_reports.unit_key", "=", "tasks.unit_key")
          .onRef("first_reports.task_key", "=", "tasks.task_key"),
    )
    .select([
      "tasks.phase_key",
      sql<number>`count(*)::int`.as("tasks"),
      sql<number>`count(first_reports.first)::int`.as("reported"),
      // Compared to the millisecond, as the dates were when they were compared in JavaScript.
      sql<number>`count(*) filter (where date_trunc('milliseconds', first_reports.first) > date_trunc('milliseconds', tasks.deadline))::int`.as(
        "late",
      ),
    ])
    .where("tasks.campaign_id", "=", campaignId)
    .$if(scope !== "all", (q) =>
      q.where(sql<boolean>`tasks.unit_key = any(${[...(scope as ReadonlySet<string>)]}::text[])`),
    )
    .groupBy("tasks.phase_key")
    .execute()
  const byPhase = new Map(counts.map((c) => [c.phase_key, c]))
  return campaign.phases.map((phase) => {
    const count = byPhase.get(phase.key) ?? { tasks: 0, reported: 0, late: 0 }
    return {
      phase: phase.key,
      name: phase.name.zh,
      onTime: count.reported - count.late,
      late: count.late,
      missing: count.tasks - count.reported,
    }
  })
}
