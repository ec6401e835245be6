/**
 * The one place an event is applied to a machine: lock the machine's row,
 * compute the next snapshot with the pure transition, reject what the state
 * does not accept, then write snapshot, read model, journal row and follow-ups
 * together. Every command and every timer or message goes through here.
 */
import type { Database, MachineRow } from "@liandong/store"
import { apply, campaignView, unitView } from "@liandong/workflow"
import { Effect, Result } from "effect"
import type { Transaction } from "kysely"
import type { Actor } from "./Actor.ts"
import { writeCheckpoint } from "./audit/Checkpoint.ts"
import { query } from "./Db.ts"
import type { LoadedCampaign } from "./Definitions.ts"
import { InvalidTransition, NotFound } from "./Errors.ts"
import { writeFollowUps } from "./FollowUps.ts"
import { appendJournal } from "./Journal.ts"

/** Why an event is being applied, for the journal. */
export interface Cause {
  readonly actor: Actor
  readonly cause: string
  readonly idempotencyKey?: string | null
}

/**
 * Locks a unit's machine row (or the campaign's, when `unit` is null) for this transaction.
 * FOR NO KEY UPDATE, like the update that follows: the foreign keys of timers and messages
 * sent to the machine meanwhile only take KEY SHARE, which it does not block.
 */
export const lockMachine = (tx: Transaction<Database>, campaignId: string, unit: string | null) =>
  Effect.gen(function* () {
    const row = yield* query(
      "machine.lock",
      (db) => {
        const base = db.selectFrom("machines").selectAll().where("campaign_id", "=", campaignId)
        return (unit === null ? base.where("kind", "=", "campaign") : base.where("unit_key", "=", unit))
          .forNoKeyUpdate()
          .executeTakeFirst()
      },
      tx,
    )
    if (row === undefined)
      return yield* new NotFound({ what: unit === null ? "campaign" : "unit", ref: unit ?? campaignId })
    return row
  })

/** Locks a machine row by id. */
export const lockMachineById = (tx: Transaction<Database>, machineId: string) =>
  query(
    "machine.lockById",
    (db) =>
      db.selectFrom("machines").selectAll().where("id", "=", machineId).forNoKeyUpdate().executeTakeFirstOrThrow(),
    tx,
  )

/** Locks the machine rows of `ids` that no other transaction holds: a worker never waits for a command. */
export const tryLockMachinesById = (tx: Transaction<Database>, ids: ReadonlyArray<string>) =>
  ids.length === 0
    ? Effect.succeed([] as MachineRow[])
    : query(
        "machine.tryLockMany",
        (db) =>
          db
            .selectFrom("machines")
            .selectAll()
            .where("id", "in", ids)
            .orderBy("id")
            .forNoKeyUpdate()
            .skipLocked()
            .execute(),
        tx,
      )

/** Locks a machine row by id unless another transaction holds it (then nothing): a worker never waits for a command. */
export const tryLockMachineById = (tx: Transaction<Database>, machineId: string) =>
  query(
    "machine.tryLockById",
    (db) =>
      db
        .selectFrom("machines")
        .selectAll()
        .where("id", "=", machineId)
        .forNoKeyUpdate()
        .skipLocked()
        .executeTakeFirst(),
    tx,
  )

/**
 * `at`, or the time of the machine's last event when that is later: a machine's time never
 * goes back. (Version 1 is the deployment, whose time is not a campaign time.)
 */
export const notBefore = (row: MachineRow, at: Date): Date =>
  row.version > 1 && new Date(row.updated_at).getTime() > at.getTime() ? new Date(row.updated_at) : at

/** Stores a machine's next snapshot and its query columns; the version check guards against a lost update. */
const saveMachine = (
  tx: Transaction<Database>,
  row: MachineRow,
  snapshot: unknown,
  columns: { phase: string | null; status: string; overdue: boolean },
  at: Date,
) =>
  query(
    "machine.save",
    (db) =>
      db
        .updateTable("machines")
        .set({
          snapshot: JSON.stringify(snapshot),
          version: row.version + 1,
          phase: columns.phase,
          status: columns.status,
          overdue: columns.overdue,
          updated_at: at,
        })
        .where("id", "=", row.id)
        .where("version", "=", row.version)
        .execute(),
    tx,
  )

/** Writes the read-model columns and rows that mirror a machine's snapshot. */
export const project = (
  tx: Transaction<Database>,
  loaded: LoadedCampaign,
  row: MachineRow,
  snapshot: unknown,
  at: Date,
) =>
  Effect.gen(function* () {
    if (row.kind === "campaign") {
      const view = campaignView(loaded.definition, snapshot)
      yield* saveMachine(tx, row, snapshot, { phase: view.phase, status: view.status, overdue: false }, at)
      yield* query(
        "campaign.status",
        (db) =>
          db
            .updateTable("campaigns")
            .set({
              status: view.status,
              ...(view.status === "running" && loaded.row.started_at === null ? { started_at: at } : {}),
              ...(view.status === "closed" ? { closed_at: at } : {}),
            })
            .where("id", "=", loaded.row.id)
            .execute(),
        tx,
      )
      return
    }
    const unit = row.unit_key as string
    const view = unitView(loaded.definition, unit, snapshot)
    yield* saveMachine(tx, row, snapshot, view, at)
    yield* writeTaskRows(tx, loaded.row.id, unit, view.tasks, at)
  })

/** The read-model row of one task of a unit, as its machine's view shows it. */
export const taskRow = (
  campaignId: string,
  unit: string,
  t: ReturnType<typeof unitView>["tasks"][number],
  at: Date,
) => ({
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

/** Upserts the task read-model rows of one unit. */
export const writeTaskRows = (
  tx: Transaction<Database>,
  campaignId: string,
  unit: string,
  tasks: ReturnType<typeof unitView>["tasks"],
  at: Date,
) =>
  tasks.length === 0
    ? Effect.void
    : query(
        "tasks.project",
        (db) =>
          db
            .insertInto("tasks")
            .values(tasks.map((t) => taskRow(campaignId, unit, t, at)))
            .onConflict((oc) =>
              oc.columns(["campaign_id", "unit_key", "task_key"]).doUpdateSet((eb) => ({
                status: eb.ref("excluded.status"),
                overdue: eb.ref("excluded.overdue"),
                reminded: eb.ref("excluded.reminded"),
                returns: eb.ref("excluded.returns"),
                report_id: eb.ref("excluded.report_id"),
                acknowledged_at: eb.ref("excluded.acknowledged_at"),
                submitted_at: eb.ref("excluded.submitted_at"),
                approved_at: eb.ref("excluded.approved_at"),
                updated_at: eb.ref("excluded.updated_at"),
              })),
            )
            .execute(),
        tx,
      ).pipe(Effect.asVoid)

/** Applies one event to a locked machine row and writes everything that follows from it. */
export const applyToMachine = (
  tx: Transaction<Database>,
  loaded: LoadedCampaign,
  row: MachineRow,
  event: { readonly type: string; readonly at: string },
  cause: Cause,
) =>
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
    const timed = at.getTime() === stamped.getTime() ? event : { ...event, at: at.toISOString() }
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
    yield* project(tx, loaded, row, step.snapshot, at)
    const sentTo = yield* writeFollowUps(
      tx,
      { campaignId: loaded.row.id, machineId: row.id, unit: row.unit_key, at },
      step.effects,
    )
    // Queued: the journal head is the one lock every writer of the campaign shares, taken last.
    yield* appendJournal(tx, {
      campaignId: loaded.row.id,
      machineId: row.id,
      unit: row.unit_key,
      actor: cause.actor,
      cause: cause.cause,
      idempotencyKey: cause.idempotencyKey ?? null,
      event: timed,
      before: step.from,
      after: step.to,
      occurredAt: at,
    })
    if (row.kind === "campaign") {
      // A new phase, or the close, is a moment auditors pin: sign the journal as it stands.
      const next = campaignView(loaded.definition, step.snapshot)
      if (next.status === "closed" && row.status !== "closed") yield* writeCheckpoint(tx, loaded.row.id, "close", at)
      else if (next.phase !== row.phase || next.status !== row.status)
        yield* writeCheckpoint(tx, loaded.row.id, "phase", at)
    }
    return { from: step.from, to: step.to, effects: step.effects, sentTo }
  })
