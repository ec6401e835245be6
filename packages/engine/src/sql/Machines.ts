/**
 * The machine rows: locking them for a step (waiting, or skipping those another
 * transaction holds), and the one statement that writes a step.
 */
import type { MachineRow, TasksTable } from "@liandong/store"
import { type Insertable, type RawBuilder, sql } from "kysely"
import type { Sql } from "../Db.ts"
import type { DueItem, LockedMachine } from "./Locked.ts"

export type { DueItem, LockedMachine } from "./Locked.ts"

/*
 * Locks are FOR NO KEY UPDATE, like the update that follows: the foreign keys of timers and
 * messages sent to the machine meanwhile only take KEY SHARE, which it does not block.
 */

/*
 * The first look at a locked machine `l`, by `h.at`: its row's xmin as the statement's snapshot
 * saw it (before any wait for the lock), and its earliest timer and event message due.
 */
const firstLookColumns = sql`(select m.xmin::text from machines m where m.id = l.id) as seen_xmin,
  t.id as timer_id, t.due_at as timer_at, g.id as message_id, g.available_at as message_at`
const firstLookJoins = sql`left join lateral (select id, due_at from timers
    where machine_id = l.id and status = 'pending' and attempts = 0 and due_at <= h.at
    order by due_at, id limit 1) t on true
  left join lateral (select id, available_at from messages
    where machine_id = l.id and status = 'pending' and attempts = 0 and kind = 'event' and available_at <= h.at
    order by available_at, id limit 1) g on true`

/**
 * Locks a unit's machine row (or the campaign's), waiting for it, and in the same statement
 * looks for the earliest item due on it by `at` (or by the machine's last event, when that is
 * later) as `lockNextDueOfMachine` does. The look-up reads the statement's snapshot, taken before
 * any wait for the lock: when the row changed meanwhile (its xmin tells; `fresh` false), what
 * its holder wrote is not in it, and the caller looks again. With `claim`, the statement also
 * claims that idempotency key (as `claimKey`) and says whether it did, and it says which
 * definition the campaign pins (`pinned`), for a command that loaded the campaign before.
 */
export const lockMachineWithDue = async (
  db: Sql,
  campaignId: string,
  unit: string | null,
  at: Date,
  claim?: { readonly principalId: string; readonly key: string; readonly requestHash: string },
): Promise<LockedMachine> => {
  // The kind, always: each kind's machines have their own partial index, which a condition on the
  // unit alone cannot use (a national run's second command on a machine scanned all 50,000).
  const which = unit === null ? sql`kind = 'campaign'` : sql`kind = 'unit' and unit_key = ${unit}`
  const { rows } = await sql<LockedRow>`
    with locked as (
      select *, xmin::text as locked_xmin from machines where campaign_id = ${campaignId} and ${which}
      for no key update
    ), horizon as (
      select l.id, case when l.version > 1 and l.updated_at > ${at}::timestamptz then l.updated_at
        else ${at}::timestamptz end as at from locked l
    )${
      claim === undefined
        ? sql``
        : sql`, claimed as (
      insert into command_results (principal_id, idempotency_key, request_hash, result)
      values (${claim.principalId}, ${claim.key}, ${claim.requestHash}, 'null'::jsonb)
      on conflict (principal_id, idempotency_key) do nothing
      returning 1
    )`
    }
    select ${claim === undefined ? sql`null::int` : sql`(select count(*) from claimed)::int`} as claimed,
      (select definition_id::text from campaigns where id = ${campaignId}) as pinned, x.*
    from (select 1) one left join (
      select l.*,
        ${firstLookColumns}
      from locked l join horizon h on h.id = l.id
      ${firstLookJoins}
    ) x on true`.execute(db)
  return lockedOf(rows[0])
}

/** A row of the lock statements: the machine and what its first look found. */
type LockedRow = MachineRow & {
  readonly claimed: number | null
  readonly pinned: string | null
  readonly locked_xmin: string | null
  readonly seen_xmin: string | null
  readonly timer_id: string | null
  readonly timer_at: Date | null
  readonly message_id: string | null
  readonly message_at: Date | null
}

const lockedOf = (found: LockedRow | undefined): LockedMachine => {
  const claimed = found?.claimed === null || found?.claimed === undefined ? undefined : found.claimed > 0
  const pinned = found?.pinned ?? null
  if (found === undefined || found.id === null) return { claimed, pinned, machine: undefined }
  const { claimed: _, pinned: __, locked_xmin, seen_xmin, timer_id, timer_at, message_id, message_at, ...row } = found
  const due: DueItem | undefined =
    timer_id !== null && (message_id === null || new Date(timer_at as Date) < new Date(message_at as Date))
      ? { kind: "timer", id: timer_id }
      : message_id !== null
        ? { kind: "message", id: message_id }
        : undefined
  return { claimed, pinned, machine: { row: row as MachineRow, due, fresh: seen_xmin === locked_xmin } }
}

/** A unit's machine a command is to lock, at its time, with its idempotency key to claim. */
export interface LockAsked {
  readonly campaignId: string
  readonly unit: string
  readonly at: Date
  readonly claim?: { readonly principalId: string; readonly key: string; readonly requestHash: string }
}

/**
 * `lockMachineWithDue` for the commands of a batch at once, in one statement: their units'
 * machines locked in the order asked (so that two batches lock in one order), each with its
 * first look and its key claimed; the answers in that order. Each unit's machine is asked
 * once: a second command on the same machine locks it itself, after the first has changed it.
 */
export const lockMachinesWithDue = async (db: Sql, asked: ReadonlyArray<LockAsked>): Promise<LockedMachine[]> => {
  const json = JSON.stringify(
    asked.map((a, ord) => ({
      ord,
      campaign_id: a.campaignId,
      unit_key: a.unit,
      at: a.at.toISOString(),
      principal_id: a.claim?.principalId ?? null,
      idempotency_key: a.claim?.key ?? null,
      request_hash: a.claim?.requestHash ?? null,
    })),
  )
  const { rows } = await sql<LockedRow & { readonly ord: number }>`
    with asked as materialized (
      select * from jsonb_to_recordset(${json}::jsonb) as a(ord int, campaign_id text, unit_key text,
        at timestamptz, principal_id text, idempotency_key text, request_hash text)
    ), locked as materialized (
      select m.*, m.xmin::text as locked_xmin, a.ord as asked_ord from asked a
      join machines m on m.kind = 'unit' and m.campaign_id = a.campaign_id and m.unit_key = a.unit_key
      order by a.ord
      for no key update of m
    ), claimed as (
      insert into command_results (principal_id, idempotency_key, request_hash, result)
      select principal_id, idempotency_key, request_hash, 'null'::jsonb from asked where idempotency_key is not null
      on conflict (principal_id, idempotency_key) do nothing
      returning principal_id, idempotency_key
    )
    select a.ord,
      case when a.idempotency_key is null then null else (select count(*) from claimed c
        where c.principal_id = a.principal_id and c.idempotency_key = a.idempotency_key)::int end as claimed,
      (select definition_id::text from campaigns where id = a.campaign_id) as pinned, x.*
    from asked a left join lateral (
      select l.*,
        ${firstLookColumns}
      from locked l
      cross join lateral (select case when l.version > 1 and l.updated_at > a.at then l.updated_at
        else a.at end as at) h
      ${firstLookJoins}
      where l.asked_ord = a.ord
    ) x on true
    order by a.ord`.execute(db)
  return rows.map(({ ord: _, asked_ord: __, ...row }: LockedRow & { ord: number; asked_ord?: number }) =>
    lockedOf(row as LockedRow),
  )
}

/** Locks a machine row by id, waiting for it. */
export const lockMachineById = (db: Sql, machineId: string) =>
  db.selectFrom("machines").selectAll().where("id", "=", machineId).forNoKeyUpdate().executeTakeFirstOrThrow()

/** Locks the machine rows of `ids` that no other transaction holds, in id order. */
export const tryLockMachines = (db: Sql, ids: ReadonlyArray<string>) =>
  db.selectFrom("machines").selectAll().where("id", "in", ids).orderBy("id").forNoKeyUpdate().skipLocked().execute()

/** Locks a machine row by id unless another transaction holds it (then nothing). */
export const tryLockMachine = (db: Sql, machineId: string) =>
  db.selectFrom("machines").selectAll().where("id", "=", machineId).forNoKeyUpdate().skipLocked().executeTakeFirst()

/** The campaign's own machine: its id and unit (none), or nothing when the campaign has no machine. */
export const campaignMachine = (db: Sql, campaignId: string) =>
  db
    .selectFrom("machines")
    .select(["id", "unit_key"])
    .where("campaign_id", "=", campaignId)
    .where("kind", "=", "campaign")
    .executeTakeFirst()

/** A machine's id and unit, by id. */
export const machineById = (db: Sql, machineId: string) =>
  db.selectFrom("machines").select(["id", "unit_key"]).where("id", "=", machineId).executeTakeFirstOrThrow()

/** One part of a step's statement: a named data-modifying CTE. */
export interface StepPart {
  readonly name: string
  readonly query: RawBuilder<unknown>
}

/** The campaign row's status as its machine's view shows it, stamped at `at` when it starts or closes. */
export const campaignStatusPart = (
  campaignId: string,
  status: string,
  change: { readonly starts: boolean; readonly closes: boolean },
  at: Date,
): StepPart => ({
  name: "campaign",
  query: sql`update campaigns set status = ${status},
    started_at = case when ${change.starts} then ${at}::timestamptz else started_at end,
    closed_at = case when ${change.closes} then ${at}::timestamptz else closed_at end
    where id = ${campaignId}`,
})

/** A unit's task rows as its machine's view shows them, inserted or updated. */
export const taskRowsPart = (rows: ReadonlyArray<Insertable<TasksTable>>): StepPart => ({
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

/** A machine's next snapshot (as JSON text) and the query columns that mirror it. */
export interface NextSnapshot {
  readonly snapshot: string
  readonly phase: string | null
  readonly status: string
  readonly overdue: boolean
  readonly at: Date
}

/**
 * Writes a step in one statement (data-modifying CTEs, one round trip however many rows):
 * the machine's next snapshot, guarded by its version against a lost update, and `parts`.
 * Says whether the machine was saved, which machines the `sent` part wrote messages to,
 * and how many `woke` notifications went.
 */
export const writeStep = (
  db: Sql,
  machine: { readonly id: string; readonly version: number },
  next: NextSnapshot,
  parts: ReadonlyArray<StepPart>,
) => {
  const has = (name: string) => parts.some((part) => part.name === name)
  return sql<{ saved: number; sent_to: string[] | null; woke: number }>`
    with saved as (
      update machines set snapshot = ${next.snapshot}::jsonb, version = ${machine.version + 1},
        phase = ${next.phase}, status = ${next.status}, overdue = ${next.overdue}, updated_at = ${next.at}
      where id = ${machine.id}::bigint and version = ${machine.version}
      returning id
    )${sql.join(
      parts.map((part) => sql`, ${sql.id(part.name)} as (${part.query})`),
      sql``,
    )}
    select (select count(*) from saved)::int as saved,
      ${has("sent") ? sql`(select array_agg(machine_id) from sent where machine_id is not null)` : sql`null::bigint[]`} as sent_to,
      ${has("woke") ? sql`(select count(*) from woke)::int` : sql`0`} as woke`
    .execute(db)
    .then((result) => result.rows[0])
}
