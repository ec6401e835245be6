/**
 * What people read: campaigns, the units × phases status table, tasks and
 * reports — each filtered by what the actor may see.
 */
import type { Campaign } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "./Actor.ts"
import { canSeeCampaign, readableUnits } from "./Authz.ts"
import { query } from "./Db.ts"
import { loadCampaign } from "./Definitions.ts"
import { NotFound } from "./Errors.ts"

/** The state of one unit in one phase, for the status table. */
export interface PhaseCell {
  readonly state: "waiting" | "active" | "done" | "closed"
  readonly approved: number
  readonly total: number
  readonly overdue: boolean
  readonly returned: boolean
}

/** Loads a campaign the actor may see, or fails as not found. */
export const visibleCampaign = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* loadCampaign(campaignId)
    if (!canSeeCampaign(actor, loaded.definition)) return yield* new NotFound({ what: "campaign", ref: campaignId })
    return loaded
  })

/** The campaigns the actor may see. */
export const listCampaigns = (actor: Actor) =>
  Effect.gen(function* () {
    const rows = yield* query("campaigns.list", (db) =>
      db
        .selectFrom("campaigns")
        .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
        .leftJoin("machines", (join) =>
          join.onRef("machines.campaign_id", "=", "campaigns.id").on("machines.kind", "=", "campaign"),
        )
        .select([
          "campaigns.id",
          "campaigns.status",
          "campaigns.started_at",
          "campaigns.closed_at",
          "definitions.version",
          "definitions.hash",
          "definitions.body",
          "machines.phase",
        ])
        .orderBy("campaigns.created_at")
        .execute(),
    )
    return rows
      .map((row) => ({ ...row, definition: row.body as Campaign }))
      .filter((row) => canSeeCampaign(actor, row.definition))
      .map((row) => ({
        id: row.id,
        title: row.definition.title,
        status: row.status,
        phase: row.phase,
        version: row.version,
        units: row.definition.units.length,
        startedAt: row.started_at,
        closedAt: row.closed_at,
      }))
  })

/** The units × phases table of a campaign, limited to the units the actor may read. */
export const statusTable = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const readable = readableUnits(actor, loaded.definition)
    const tasks = yield* query("tasks.forStatus", (db) =>
      db
        .selectFrom("tasks")
        .select(["unit_key", "phase_key", "status", "overdue"])
        .where("campaign_id", "=", campaignId)
        .execute(),
    )
    const campaignMachine = yield* query("campaign.machine", (db) =>
      db
        .selectFrom("machines")
        .select(["phase", "status"])
        .where("campaign_id", "=", campaignId)
        .where("kind", "=", "campaign")
        .executeTakeFirstOrThrow(),
    )
    const cells = new Map<
      string,
      Map<string, { approved: number; total: number; overdue: boolean; returned: boolean; statuses: string[] }>
    >()
    for (const task of tasks) {
      if (readable !== "all" && !readable.has(task.unit_key)) continue
      const byPhase = cells.get(task.unit_key) ?? new Map()
      cells.set(task.unit_key, byPhase)
      const cell = byPhase.get(task.phase_key) ?? {
        approved: 0,
        total: 0,
        overdue: false,
        returned: false,
        statuses: [],
      }
      byPhase.set(task.phase_key, cell)
      cell.total++
      if (task.status === "approved") cell.approved++
      if (task.overdue && task.status !== "approved") cell.overdue = true
      if (task.status === "returned") cell.returned = true
      cell.statuses.push(task.status)
    }
    const rows = loaded.definition.units
      .filter((unit) => cells.has(unit.key))
      .map((unit) => {
        const byPhase = cells.get(unit.key) as Map<
          string,
          { approved: number; total: number; overdue: boolean; returned: boolean; statuses: string[] }
        >
        const phases: Record<string, PhaseCell | null> = {}
        for (const phase of loaded.definition.phases) {
          const cell = byPhase.get(phase.key)
          phases[phase.key] =
            cell === undefined
              ? null
              : {
                  state:
                    cell.approved === cell.total
                      ? "done"
                      : cell.statuses.includes("closed")
                        ? "closed"
                        : cell.statuses.every((s) => s === "waiting")
                          ? "waiting"
                          : "active",
                  approved: cell.approved,
                  total: cell.total,
                  overdue: cell.overdue,
                  returned: cell.returned,
                }
        }
        return { unit: unit.key, name: unit.name, phases }
      })
    return {
      campaign: campaignId,
      title: loaded.definition.title,
      status: campaignMachine.status,
      phase: campaignMachine.phase,
      phases: loaded.definition.phases.map((p) => ({ key: p.key, name: p.name })),
      rows,
    }
  })

/** Tasks the actor may read, optionally narrowed to a campaign and a unit. */
export const listTasks = (actor: Actor, filter: { campaign?: string; unit?: string; status?: string } = {}) =>
  Effect.gen(function* () {
    const rows = yield* query("tasks.list", (db) => {
      let q = db.selectFrom("tasks").selectAll().orderBy("campaign_id").orderBy("deadline").orderBy("unit_key")
      if (filter.campaign !== undefined) q = q.where("campaign_id", "=", filter.campaign)
      if (filter.unit !== undefined) q = q.where("unit_key", "=", filter.unit)
      if (filter.status !== undefined) q = q.where("status", "=", filter.status as "assigned")
      return q.execute()
    })
    const byCampaign = new Map<string, Campaign>()
    const out = []
    for (const row of rows) {
      let definition = byCampaign.get(row.campaign_id)
      if (definition === undefined) {
        definition = (yield* loadCampaign(row.campaign_id)).definition
        byCampaign.set(row.campaign_id, definition)
      }
      const readable = readableUnits(actor, definition)
      if (readable !== "all" && !readable.has(row.unit_key)) continue
      const task = definition.phases.flatMap((p) => p.tasks).find((t) => t.key === row.task_key)
      out.push({
        ref: `${row.campaign_id}/${row.unit_key}/${row.task_key}`,
        campaign: row.campaign_id,
        unit: row.unit_key,
        task: row.task_key,
        title: task?.title.zh ?? row.task_key,
        phase: row.phase_key,
        status: row.status,
        deadline: row.deadline,
        overdue: row.overdue,
        reminded: row.reminded,
        returns: row.returns,
        report: row.report_id,
      })
    }
    return out
  })

/** Reports the actor may read, optionally narrowed by campaign and status. */
export const listReports = (
  actor: Actor,
  filter: { campaign?: string; status?: "submitted" | "approved" | "returned" } = {},
) =>
  Effect.gen(function* () {
    const rows = yield* query("reports.list", (db) => {
      let q = db.selectFrom("reports").selectAll().orderBy("id")
      if (filter.campaign !== undefined) q = q.where("campaign_id", "=", filter.campaign)
      if (filter.status !== undefined) q = q.where("status", "=", filter.status)
      return q.execute()
    })
    const figures =
      rows.length === 0
        ? []
        : yield* query("reports.figures", (db) =>
            db
              .selectFrom("report_figures")
              .selectAll()
              .where(
                "report_id",
                "in",
                rows.map((r) => r.id),
              )
              .execute(),
          )
    const definitions = new Map<string, Campaign>()
    const out = []
    for (const row of rows) {
      let definition = definitions.get(row.campaign_id)
      if (definition === undefined) {
        definition = (yield* loadCampaign(row.campaign_id)).definition
        definitions.set(row.campaign_id, definition)
      }
      const readable = readableUnits(actor, definition)
      if (readable !== "all" && !readable.has(row.unit_key)) continue
      out.push({
        id: row.id,
        task: `${row.campaign_id}/${row.unit_key}/${row.task_key}`,
        attempt: row.attempt,
        status: row.status,
        figures: Object.fromEntries(figures.filter((f) => f.report_id === row.id).map((f) => [f.figure_key, f.value])),
        narrative: row.narrative,
        submittedBy: row.submitted_by,
        submittedAt: row.submitted_at,
        reviewedBy: row.reviewed_by,
        returnReason: row.return_reason,
      })
    }
    return out
  })
