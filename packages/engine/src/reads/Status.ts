/**
 * The units × phases status table: each cell counted in SQL for the units on
 * the page (in the definition's order), limited to the units the actor may read.
 */

import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { readableUnits } from "../Authz.ts"
import { query } from "../Db.ts"
import type { LoadedCampaign } from "../Definitions.ts"
import { selectCampaignMachineState } from "../sql/ReadCampaigns.ts"
import { type StatusCounts, selectStatusCounts } from "../sql/ReadTasks.ts"
import { badCursor, decodeCursor, encodeCursor, limitOf, type PageRequest } from "./Page.ts"
import { visibleCampaign } from "./Scope.ts"

/** The state of one unit in one phase, for the status table. */
export interface PhaseCell {
  readonly state: "waiting" | "active" | "done" | "closed"
  readonly approved: number
  readonly total: number
  readonly overdue: boolean
  readonly returned: boolean
}

const cellOf = (counts: StatusCounts): PhaseCell => ({
  state:
    counts.approved === counts.total
      ? "done"
      : counts.closed > 0
        ? "closed"
        : counts.waiting === counts.total
          ? "waiting"
          : "active",
  approved: counts.approved,
  total: counts.total,
  overdue: counts.overdue > 0,
  returned: counts.returned > 0,
})

/** The table's rows for these units (those with tasks), with the campaign's state. */
const tableOf = (loaded: LoadedCampaign, units: ReadonlyArray<{ key: string; name: string }>, all: boolean) =>
  Effect.gen(function* () {
    const { definition } = loaded
    const campaignId = loaded.row.id
    const [counts, machine] = yield* Effect.all([
      query("status.cells", (db) => selectStatusCounts(db, campaignId, all ? "all" : units.map((unit) => unit.key))),
      query("status.campaign", (db) => selectCampaignMachineState(db, campaignId)),
    ])
    const cells = new Map<string, Map<string, PhaseCell>>()
    for (const count of counts) {
      const byPhase = cells.get(count.unit_key) ?? new Map<string, PhaseCell>()
      cells.set(count.unit_key, byPhase)
      byPhase.set(count.phase_key, cellOf(count))
    }
    const rows = units.flatMap((unit) => {
      const byPhase = cells.get(unit.key)
      if (byPhase === undefined) return []
      const phases: Record<string, PhaseCell | null> = {}
      for (const phase of definition.phases) phases[phase.key] = byPhase.get(phase.key) ?? null
      return [{ unit: unit.key, name: unit.name, phases }]
    })
    return {
      campaign: campaignId,
      title: definition.title,
      status: machine?.status ?? loaded.row.status,
      phase: machine?.phase ?? null,
      phases: definition.phases.map((p) => ({ key: p.key, name: p.name })),
      rows,
    }
  })

/** The whole status table: every unit the actor may read (the API's matrix). */
export const statusTable = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const readable = readableUnits(actor, loaded.definition)
    const units = loaded.definition.units.filter((unit) => readable === "all" || readable.has(unit.key))
    return yield* tableOf(loaded, units, readable === "all")
  })

/** A page of the status table: up to `limit` of the units the actor may read, in the definition's order. */
export const pageStatus = (campaignId: string, actor: Actor, page: PageRequest) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const after = yield* decodeCursor(page.cursor, 1)
    const loaded = yield* visibleCampaign(campaignId, actor)
    const readable = readableUnits(actor, loaded.definition)
    const units = loaded.definition.units.filter((unit) => readable === "all" || readable.has(unit.key))
    const start = after === undefined ? 0 : units.findIndex((unit) => unit.key === String(after[0])) + 1
    if (start === 0 && after !== undefined) return yield* badCursor()
    const kept = units.slice(start, start + limit)
    const table = yield* tableOf(loaded, kept, false)
    const last = kept[kept.length - 1]
    return {
      ...table,
      nextCursor: start + limit < units.length && last !== undefined ? encodeCursor([last.key]) : null,
    }
  })
