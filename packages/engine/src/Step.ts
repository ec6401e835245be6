/**
 * The one place an event is applied to a machine: lock the machine's row,
 * compute the next snapshot with the pure transition, reject what the state
 * does not accept, then write snapshot, read model, journal row and follow-ups
 * together. Every command and every timer or message goes through here.
 */
import type { Database, MachineRow } from "@liandong/store"
import { apply, campaignView, type FollowUp, unitView } from "@liandong/workflow"
import { Effect, Result } from "effect"
import { sql, type Transaction } from "kysely"
import type { Actor } from "./Actor.ts"
import { writeCheckpoint } from "./audit/Checkpoint.ts"
import { query } from "./Db.ts"
import type { LoadedCampaign } from "./Definitions.ts"
import { InvalidTransition, NotFound } from "./Errors.ts"
import { followUpWrites, type Write } from "./FollowUps.ts"
import { appendJournal } from "./Journal.ts"
import type { JournalContent } from "./JournalContent.ts"

/** Why an event is being applied, for the journal. */
export interface Cause {
  readonly actor: Actor
  readonly cause: string
  readonly idempotencyKey?: string | null
  /** what the event is about, journaled and hashed with it */
  readonly content?: JournalContent
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

/**
 * Writes everything one step changes in one statement: the machine's next snapshot and its
 * query columns (the version check guards against a lost update), the read model that
 * mirrors it (the campaign's status, or the unit's task rows), and the follow-ups. One round
 * trip a step, however many rows it writes. Returns the machines it sent messages to.
 */
const writeStep = (
  tx: Transaction<Database>,
  loaded: LoadedCampaign,
  row: MachineRow,
  snapshot: unknown,
  at: Date,
  effects: ReadonlyArray<FollowUp>,
) =>
  Effect.gen(function* () {
    const campaignId = loaded.row.id
    const writes: Write[] = []
    let columns: { phase: string | null; status: string; overdue: boolean }
    if (row.kind === "campaign") {
      const view = campaignView(loaded.definition, snapshot)
      columns = { phase: view.phase, status: view.status, overdue: false }
      const started = view.status === "running" && loaded.row.started_at === null
      writes.push({
        name: "campaign",
        query: sql`update campaigns set status = ${view.status},
          started_at = case when ${started} then ${at}::timestamptz else started_at end,
          closed_at = case when ${view.status === "closed"} then ${at}::timestamptz else closed_at end
          where id = ${campaignId}`,
      })
    } else {
      const unit = row.unit_key as string
      const view = unitView(loaded.definition, unit, snapshot)
      columns = view
      if (view.tasks.length > 0) {
        const rows = view.tasks.map((t) => taskRow(campaignId, unit, t, at))
        writes.push({
          name: "projected",
          query: sql`insert into tasks (campaign_id, unit_key, task_key, phase_key, status, deadline, overdue,
              reminded, returns, report_id, acknowledged_at, submitted_at, approved_at, updated_at)
            select r.campaign_id, r.unit_key, r.task_key, r.phase_key, r.status, r.deadline, r.overdue, r.reminded,
              r.returns, r.report_id, r.acknowledged_at, r.submitted_at, r.approved_at, r.updated_at
            from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(campaign_id text, unit_key text,
              task_key text, phase_key text, status text, deadline timestamptz, overdue boolean, reminded integer,
              returns integer, report_id bigint, acknowledged_at timestamptz, submitted_at timestamptz,
              approved_at timestamptz, updated_at timestamptz)
            on conflict (campaign_id, unit_key, task_key) do update set status = excluded.status,
              overdue = excluded.overdue, reminded = excluded.reminded, returns = excluded.returns,
              report_id = excluded.report_id, acknowledged_at = excluded.acknowledged_at,
              submitted_at = excluded.submitted_at, approved_at = excluded.approved_at,
              updated_at = excluded.updated_at`,
        })
      }
    }
    writes.push(...followUpWrites({ campaignId, machineId: row.id, at }, effects))
    const has = (name: string) => writes.some((w) => w.name === name)
    const result = yield* query(
      "machine.step",
      (db) =>
        sql<{ saved: number; sent_to: string[] | null; woke: number }>`
          with saved as (
            update machines set snapshot = ${JSON.stringify(snapshot)}::jsonb, version = ${row.version + 1},
              phase = ${columns.phase}, status = ${columns.status}, overdue = ${columns.overdue}, updated_at = ${at}
            where id = ${row.id}::bigint and version = ${row.version}
            returning id
          )${sql.join(
            writes.map((w) => sql`, ${sql.id(w.name)} as (${w.query})`),
            sql``,
          )}
          select (select count(*) from saved)::int as saved,
            ${has("sent") ? sql`(select array_agg(machine_id) from sent where machine_id is not null)` : sql`null::bigint[]`} as sent_to,
            ${has("woke") ? sql`(select count(*) from woke)::int` : sql`0`} as woke`.execute(db),
      tx,
    )
    const written = result.rows[0]
    // The machine is locked by this transaction: a lost update would be a defect, never a race.
    if (written?.saved !== 1) return yield* Effect.die(new Error(`machine ${row.id} was not at version ${row.version}`))
    return new Set((written.sent_to ?? []).map(String))
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
    const sentTo = yield* writeStep(tx, loaded, row, step.snapshot, at, step.effects)
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
      content: cause.content,
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
