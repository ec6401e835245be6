/**
 * The units × phases status table: each cell counted in SQL for the units on
 * the page (in the definition's order), limited to the units the actor may read;
 * per phase, how many units and tasks are in each state, and which units lag.
 */

import { wallClockAt, wholeDayEnding } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { readableUnits } from "../Authz.ts"
import { Clock } from "../Clock.ts"
import { query } from "../Db.ts"
import type { LoadedCampaign } from "../Definitions.ts"
import { selectCampaignMachineState } from "../sql/ReadCampaigns.ts"
import { type StatusCounts, selectStatusCounts } from "../sql/ReadTasks.ts"
import { badCursor, decodeCursor, encodeCursor, limitOf, type PageRequest } from "./Page.ts"
import { visibleCampaign } from "./Scope.ts"

/** The states a task is counted by, and the word a cell shows (most urgent first). */
export const taskStages = ["assigned", "acknowledged", "submitted", "returned", "overdue", "approved"] as const
export type TaskStage = (typeof taskStages)[number]

/** How many of a unit's tasks in a phase are in each state (overdue: past the deadline, not approved). */
export type StageCounts = Readonly<Record<TaskStage, number>>

/** The state of one unit in one phase, for the status table. */
export interface PhaseCell {
  readonly state: "waiting" | "active" | "done" | "closed"
  readonly approved: number
  readonly total: number
  readonly overdue: boolean
  readonly returned: boolean
  /** what the cell says, the most urgent of its tasks' states first */
  readonly stage: "overdue" | "returned" | "assigned" | "acknowledged" | "submitted" | "done" | "waiting" | "closed"
  readonly counts: StageCounts
  /** whole days since the earliest missed deadline, by the campaign's calendar (at least 1); null when none */
  readonly overdueDays: number | null
  /** overdue, or a task not yet reported whose deadline is within 24 hours */
  readonly laggard: boolean
}

/** How long before a deadline an unreported task makes its unit a laggard. */
export const laggardWindowMs = 24 * 60 * 60 * 1000

/** The day number (days since 1970-01-01) of the calendar day an instant falls on in a zone; a whole-day deadline counts as its day. */
const dayNumber = (instant: Date, timeZone: string): number => {
  const wall = wallClockAt(wholeDayEnding(instant, timeZone) ?? instant, timeZone)
  return Math.floor(wall.getTime() / 86_400_000)
}

/** Whole calendar days, in the zone, from a missed deadline's day to today's; the first day late counts as 1. */
export const daysOverdue = (deadline: Date, now: Date, timeZone: string): number =>
  Math.max(1, dayNumber(now, timeZone) - dayNumber(deadline, timeZone))

const cellOf = (counts: StatusCounts, now: Date, timeZone: string): PhaseCell => {
  const state =
    counts.approved === counts.total
      ? "done"
      : counts.closed > 0
        ? "closed"
        : counts.waiting === counts.total
          ? "waiting"
          : "active"
  const stage =
    state === "done" || state === "waiting" || state === "closed"
      ? state
      : counts.overdue > 0
        ? "overdue"
        : counts.returned > 0
          ? "returned"
          : counts.assigned > 0
            ? "assigned"
            : counts.acknowledged > 0
              ? "acknowledged"
              : "submitted"
  return {
    state,
    approved: counts.approved,
    total: counts.total,
    overdue: counts.overdue > 0,
    returned: counts.returned > 0,
    stage,
    counts: {
      assigned: counts.assigned,
      acknowledged: counts.acknowledged,
      submitted: counts.submitted,
      returned: counts.returned,
      overdue: counts.overdue,
      approved: counts.approved,
    },
    overdueDays: counts.overdue_since === null ? null : daysOverdue(counts.overdue_since, now, timeZone),
    laggard:
      counts.overdue > 0 ||
      (counts.unreported_due !== null && counts.unreported_due.getTime() - now.getTime() <= laggardWindowMs),
  }
}

/** Per state, how many units have a task in it and how many tasks are in it. */
export type PhaseTally = Readonly<Record<TaskStage, { readonly units: number; readonly tasks: number }>> & {
  readonly laggards: number
}

/** A phase's tally over the rows' cells. */
const tallyOf = (cells: ReadonlyArray<PhaseCell>): PhaseTally => {
  const tally = Object.fromEntries(taskStages.map((stage) => [stage, { units: 0, tasks: 0 }])) as Record<
    TaskStage,
    { units: number; tasks: number }
  >
  for (const cell of cells)
    for (const stage of taskStages) {
      const n = cell.counts[stage]
      tally[stage].tasks += n
      if (n > 0) tally[stage].units += 1
    }
  return { ...tally, laggards: cells.filter((cell) => cell.laggard).length }
}

/** The table's rows for these units (those with tasks), with the campaign's state. */
const tableOf = (loaded: LoadedCampaign, units: ReadonlyArray<{ key: string; name: string }>, all: boolean) =>
  Effect.gen(function* () {
    const { definition } = loaded
    const campaignId = loaded.row.id
    const now = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    const [counts, machine] = yield* Effect.all([
      query("status.cells", (db) => selectStatusCounts(db, campaignId, all ? "all" : units.map((unit) => unit.key))),
      query("status.campaign", (db) => selectCampaignMachineState(db, campaignId)),
    ])
    const cells = new Map<string, Map<string, PhaseCell>>()
    for (const count of counts) {
      const byPhase = cells.get(count.unit_key) ?? new Map<string, PhaseCell>()
      cells.set(count.unit_key, byPhase)
      byPhase.set(count.phase_key, cellOf(count, now, definition.timeZone))
    }
    const rows = units.flatMap((unit) => {
      const byPhase = cells.get(unit.key)
      if (byPhase === undefined) return []
      const phases: Record<string, PhaseCell | null> = {}
      for (const phase of definition.phases) phases[phase.key] = byPhase.get(phase.key) ?? null
      return [
        {
          unit: unit.key,
          name: unit.name,
          phases,
          laggard: Object.values(phases).some((cell) => cell?.laggard === true),
        },
      ]
    })
    const tallies = Object.fromEntries(
      definition.phases.map((phase) => [
        phase.key,
        tallyOf(rows.flatMap((row) => (row.phases[phase.key] ? [row.phases[phase.key] as PhaseCell] : []))),
      ]),
    )
    return {
      campaign: campaignId,
      title: definition.title,
      status: machine?.status ?? loaded.row.status,
      phase: machine?.phase ?? null,
      phases: definition.phases.map((p) => ({ key: p.key, name: p.name })),
      rows,
      tallies,
      now: now.toISOString(),
      timeZone: definition.timeZone,
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
