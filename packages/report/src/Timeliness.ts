/** Tasks reported on time or late, per phase: the second chart of the summary. */
import type { Database } from "@liandong/store"
import type { Campaign } from "@liandong/workflow"
import type { Kysely } from "kysely"
import type { Scope } from "./Totals.ts"

/** Counts for one phase. */
export interface PhaseTimeliness {
  readonly phase: string
  readonly name: string
  readonly onTime: number
  readonly late: number
  readonly missing: number
}

/** For each phase: tasks first reported by their deadline, after it, or never. */
export const loadTimeliness = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
  scope: Scope = "all",
): Promise<PhaseTimeliness[]> => {
  const tasks = await db
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
    .select(["tasks.unit_key", "tasks.phase_key", "tasks.deadline", "first_reports.first"])
    .where("tasks.campaign_id", "=", campaignId)
    .execute()
  return campaign.phases.map((phase) => {
    const mine = tasks.filter((t) => t.phase_key === phase.key && (scope === "all" || scope.has(t.unit_key)))
    const reported = mine.filter((t) => t.first !== null)
    const late = reported.filter((t) => new Date(t.first as Date).getTime() > new Date(t.deadline).getTime()).length
    return {
      phase: phase.key,
      name: phase.name.zh,
      onTime: reported.length - late,
      late,
      missing: mine.length - reported.length,
    }
  })
}
