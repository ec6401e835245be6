/**
 * The one place an event is applied to a machine: compute the next snapshot
 * with the pure transition, reject what the state does not accept, then write
 * snapshot, read model, journal row and follow-ups together. Every command and
 * every timer or message goes through here: by way of `applyDue`, a campaign's
 * change, or a phase's fan-in counted by the command that sends it (`FanIn.ts`).
 */
import type { MachineRow } from "@liandong/store"
import { apply, campaignView, type FollowUp, type MachineEvent, unitView } from "@liandong/workflow"
import { Effect, Result } from "effect"
import type { Actor } from "./Actor.ts"
import { writeCheckpoint } from "./audit/Checkpoint.ts"
import { flushSteps, type Tx } from "./Db.ts"
import type { LoadedCampaign } from "./Definitions.ts"
import { InvalidTransition } from "./Errors.ts"
import { addFollowUps } from "./FollowUps.ts"
import { appendJournal } from "./Journal.ts"
import type { JournalContent } from "./JournalContent.ts"
import type { CampaignStatus } from "./sql/Machines.ts"

/** Why an event is being applied, for the journal. */
export interface Cause {
  readonly actor: Actor
  readonly cause: string
  readonly idempotencyKey?: string | null
  /** what the event is about, journaled and hashed with it */
  readonly content?: JournalContent
}

/**
 * `at`, or the time of the machine's last event when that is later: a machine's time never
 * goes back. (Version 1 is the deployment, whose time is not a campaign time.)
 */
export const notBefore = (row: MachineRow, at: Date): Date =>
  row.version > 1 && new Date(row.updated_at).getTime() > at.getTime() ? new Date(row.updated_at) : at

/**
 * Adds what one step changes to the transaction's pending steps: the machine's next snapshot
 * and its query columns, the read model that mirrors it (the campaign's status, or the unit's
 * task rows), and the follow-ups; written at once unless the transaction defers its steps to
 * its next statement (`flushSteps`). Returns the units it sent messages to (`null`: the
 * campaign's machine), and the row as written.
 */
const saveStep = (
  tx: Tx,
  loaded: LoadedCampaign,
  row: MachineRow,
  snapshot: unknown,
  at: Date,
  effects: ReadonlyArray<FollowUp>,
) =>
  Effect.gen(function* () {
    const campaignId = loaded.row.id
    let columns: { phase: string | null; status: string; overdue: boolean }
    let status: CampaignStatus | undefined
    const tasks: ReturnType<typeof taskRow>[] = []
    if (row.kind === "campaign") {
      const view = campaignView(loaded.definition, snapshot)
      columns = { phase: view.phase, status: view.status, overdue: false }
      const starts = view.status === "running" && loaded.row.started_at === null
      // Only a change: a phase's fan-in leaves the status as it is, and its steps can then go with
      // the journal's append (which moves the campaign row's head; see `flushJournal`).
      if (starts || view.status !== row.status)
        status = { id: campaignId, status: view.status, starts, closes: view.status === "closed", at: at.toISOString() }
    } else {
      const unit = row.unit_key as string
      const view = unitView(loaded.definition, unit, snapshot)
      columns = { phase: view.phase, status: view.status, overdue: view.overdue }
      // The task rows mirror the snapshot before: only those the step changed are written.
      const before = new Map(unitView(loaded.definition, unit, row.snapshot).tasks.map((t) => [t.task, t]))
      for (const t of view.tasks) if (!sameTask(before.get(t.task), t)) tasks.push(taskRow(campaignId, unit, t, at))
    }
    // One step a machine in a statement. A second step is folded into the pending one (its
    // snapshot replaces the first's) when none of its rows can meet the first's in one statement:
    // no task rows (an upsert changes a row once), no campaign status (nor an update), no
    // cancelled timer (a timer the first set is not yet there to cancel). Else the first is written.
    const pending = tx.steps.machines.has(row.id)
    const folds = pending && tasks.length === 0 && status === undefined && !effects.some((e) => e.type === "cancel")
    if (pending && !folds) yield* flushSteps(tx)
    const { rows } = tx.steps
    if (status !== undefined) rows.campaigns.push(status)
    for (const task of tasks) rows.tasks.push(task)
    const sentTo = addFollowUps(rows, { campaignId, machineId: row.id, at }, effects)
    // Written, and kept for a next step in this transaction as `apply` gave it: plain data, which
    // steps as the row read back would (no JSON copy; `no-event-ignored.property.test.ts`).
    const next = { id: row.id, version: row.version, steps: 1, snapshot, ...columns, at: at.toISOString() }
    const folded = folds ? rows.machines.findIndex((m) => m.id === row.id) : -1
    const first = rows.machines[folded]
    if (first !== undefined) rows.machines[folded] = { ...next, version: first.version, steps: first.steps + 1 }
    else {
      rows.machines.push(next)
      tx.steps.machines.add(row.id)
    }
    if (!tx.steps.defer) yield* flushSteps(tx)
    const saved: MachineRow = {
      ...row,
      snapshot,
      version: row.version + 1,
      phase: columns.phase,
      status: columns.status,
      overdue: columns.overdue,
      updated_at: at,
    }
    return { sentTo, row: saved }
  })

type TaskView = ReturnType<typeof unitView>["tasks"][number]

/** Whether a task's view is unchanged (every field is a string, number, boolean or null). */
const sameTask = (was: TaskView | undefined, now: TaskView): boolean =>
  was !== undefined && (Object.keys(now) as Array<keyof TaskView>).every((field) => was[field] === now[field])

/** The read-model row of one task of a unit, as its machine's view shows it. */
export const taskRow = (campaignId: string, unit: string, t: TaskView, at: Date) => ({
  campaign_id: campaignId,
  unit_key: unit,
  task_key: t.task,
  phase_key: t.phase,
  status: t.status,
  deadline: t.deadline,
  overdue: t.overdue,
  reminded: t.reminded,
  returns: t.returns,
  report_id: t.report,
  acknowledged_at: t.acknowledgedAt,
  submitted_at: t.submittedAt,
  approved_at: t.approvedAt,
  updated_at: at,
})

/** What a step did: the states it went between, its follow-ups, and what auditors pin because of it. */
export interface StepResult extends Pick<Transition, "from" | "to" | "effects" | "checkpoint" | "at"> {
  /** the units it sent messages to (`null`: the campaign's machine) */
  readonly sentTo: ReadonlyArray<string | null>
  /** the machine's row as the step left it (locked by the transaction) */
  readonly row: MachineRow
}

/** An event's transition on a machine, computed and not yet written (`recordTransition`). */
export interface Transition {
  readonly event: MachineEvent
  /** the time the event takes: its own, or the machine's last event's when that is later */
  readonly at: Date
  readonly from: string
  readonly to: string
  readonly snapshot: unknown
  readonly effects: ReadonlyArray<FollowUp>
  /** a new phase or the close: the journal is to be signed as it stands (`writeCheckpoint`) */
  readonly checkpoint: "phase" | "close" | null
}

/** Computes an event's transition on a machine row (pure): `InvalidTransition` when its state does not take it. */
export const transition = (loaded: LoadedCampaign, row: MachineRow, event: MachineEvent) =>
  Effect.gen(function* () {
    const machine =
      row.kind === "campaign" ? loaded.compiled.campaignMachine() : loaded.compiled.unitMachine(row.unit_key as string)
    const stamped = new Date(event.at)
    // An event must carry its time; one that does not is a defect of its sender, never stored.
    if (Number.isNaN(stamped.getTime()))
      return yield* Effect.die(new Error(`event ${event.type} has no valid time: ${String(event.at)}`))
    // An item the workers reach late, or a clock read before waiting for the lock, takes the
    // time the machine has reached instead of going back before its last event.
    const at = notBefore(row, stamped)
    const timed: MachineEvent = at.getTime() === stamped.getTime() ? event : { ...event, at: at.toISOString() }
    const result = apply(machine, row.snapshot, timed)
    if (Result.isFailure(result)) {
      const rejected = result.failure
      return yield* new InvalidTransition({
        state: rejected.state,
        event: event.type,
        accepts: rejected.accepts,
        zh: rejected.zh,
        en: rejected.en,
      })
    }
    const step = result.success
    return {
      event: timed,
      at,
      from: step.from,
      to: step.to,
      snapshot: step.snapshot,
      effects: step.effects,
      checkpoint: checkpointDue(loaded, row, step.snapshot),
    } satisfies Transition
  })

/** Writes a computed transition of a locked machine row and everything that follows from it. */
export const recordTransition = (tx: Tx, loaded: LoadedCampaign, row: MachineRow, step: Transition, cause: Cause) =>
  Effect.gen(function* () {
    const { sentTo, row: saved } = yield* saveStep(tx, loaded, row, step.snapshot, step.at, step.effects)
    // Queued: the journal head is the one lock every writer of the campaign shares, taken last.
    yield* appendJournal(tx, {
      campaignId: loaded.row.id,
      machineId: row.id,
      unit: row.unit_key,
      actor: cause.actor,
      cause: cause.cause,
      idempotencyKey: cause.idempotencyKey ?? null,
      event: step.event,
      before: step.from,
      after: step.to,
      occurredAt: step.at,
      content: cause.content,
    })
    const { from, to, effects, checkpoint, at } = step
    return { from, to, effects, checkpoint, at, sentTo, row: saved } satisfies StepResult
  })

/**
 * Applies one event to a locked machine row and writes everything that follows from it; when
 * the step opened a phase or closed the campaign, the journal is signed as it stands.
 */
export const applyToMachine = (tx: Tx, loaded: LoadedCampaign, row: MachineRow, event: MachineEvent, cause: Cause) =>
  Effect.flatMap(transition(loaded, row, event), (step) =>
    Effect.tap(recordTransition(tx, loaded, row, step, cause), (done) =>
      done.checkpoint === null ? Effect.void : writeCheckpoint(tx, loaded.row.id, done.checkpoint, done.at),
    ),
  )

/** A new phase, or the close, is a moment auditors pin: which of them a campaign machine's step reached, if any. */
const checkpointDue = (loaded: LoadedCampaign, row: MachineRow, snapshot: unknown): "phase" | "close" | null => {
  if (row.kind !== "campaign") return null
  const next = campaignView(loaded.definition, snapshot)
  if (next.status === "closed" && row.status !== "closed") return "close"
  return next.phase !== row.phase || next.status !== row.status ? "phase" : null
}
