/**
 * The queue protocol, one statement per function: claim the next due timer or
 * pending message with SKIP LOCKED (so any number of workers share the queue
 * without waiting on each other), find what is due on one machine, then mark
 * each item done, moot or failed in the transaction that applied it.
 */

import type { CampaignRow, MachineRow, MessageRow, TimerRow } from "@liandong/store"
import { sql } from "kysely"
import { keepsGenericPlan, type Sql, unprepared } from "../Db.ts"
import { claimLockSpace, machineLockKey } from "./LockSpaces.ts"
import { type CampaignColumns, campaignColumns, splitCampaign } from "./Machines.ts"

/*
 * Per machine, items are applied in time order even with many workers: an item
 * is claimable only when its machine has no pending item that comes before it
 * (a timer due earlier, or a message sent no later than the timer's time —
 * messages are the consequences of what already happened).
 */

/** A timer or message taken from the queue. */
export type QueueItem =
  | { readonly kind: "timer"; readonly row: TimerRow }
  | { readonly kind: "message"; readonly row: MessageRow }

/** A timer or a message in one row shape, as the statements claiming either answer. */
type ItemRow = { item: "message" | "timer" } & Omit<MessageRow, "kind"> & {
    message_kind: MessageRow["kind"] | null
    key: string | null
    due_at: Date | null
  }

/** The columns of `ItemRow` from a set of messages `m` and one of timers `t`. */
const itemColumns = (m: string, t: string) =>
  sql.raw(`select 'message' as item, id, campaign_id, machine_id, event, status, attempts, last_error, created_at,
      done_at, kind as message_kind, dedupe_key, available_at, null::text as key, null::timestamptz as due_at
    from ${m}
    union all
    select 'timer', id, campaign_id, machine_id, event, status, attempts, last_error, created_at,
      done_at, null, null, null, key, due_at
    from ${t}`)

const queueItemOf = (row: ItemRow): QueueItem => {
  const { item, message_kind, dedupe_key, available_at, key, due_at, ...common } = row
  return item === "message"
    ? {
        kind: "message",
        row: { ...common, kind: message_kind as MessageRow["kind"], dedupe_key, available_at } as MessageRow,
      }
    : { kind: "timer", row: { ...common, key: key as string, due_at: due_at as Date } as TimerRow }
}

/** How far a backlog may be drained at `now`: to `now`, but before every pending timer. */
const backlogHorizon = (now: Date) =>
  sql`select least(${now}::timestamptz, coalesce(min(due_at) - interval '1 millisecond', ${now}::timestamptz)) as at
      from timers where status = 'pending'`

/**
 * Claims up to `limit` items whose machines have nothing earlier pending, at most one a machine
 * (a machine's second item has its first before it), in one statement: the oldest messages
 * available by the earliest pending timer (or `now`, when no timer is due before it), else the
 * earliest timers due at `now`.
 *
 * Each `not exists` ends in `offset 0`, which keeps it a probe of the machine's pending items
 * (`*_pending_by_machine`), row by row as the claim walks the queue in order. As a join the
 * planner could hash or materialize every pending item instead, by statistics a sweep has just
 * made stale: one such claim took 56 s when a 50,000-unit phase opened.
 *
 * Prepared, and its generic plan kept (`keepsGenericPlan`; the limits are written in, as the
 * planner weighs a plan by them, and the time is compared as a subquery's value, as the
 * messages' horizon is): planned afresh for each call, as PostgreSQL went on choosing, a claim
 * spent longer in the planner than in running (1.7 against 1.3 ms), and the generic plan walks
 * the same indexes in the same order (`plans.test.ts`).
 */
export const claimDueItems = async (db: Sql, now: Date, limit: number) => {
  const { rows } = await claimDueStatement(now, limit).execute(db)
  return rows.map(queueItemOf)
}

/** The statement of `claimDueItems`. */
export const claimDueStatement = (now: Date, limit: number) =>
  sql<ItemRow>`${keepsGenericPlan} with ${claimCtes(now, limit)}
    select * from (${itemColumns("m", "t")}) claimed
    order by coalesce(available_at, due_at), id`

/** The claim's CTEs: `m` the messages claimed, `t` the timers (when no message is). */
const claimCtes = (now: Date, limit: number) => sql`horizon as (
      select least(${now}::timestamptz, coalesce(min(due_at), ${now}::timestamptz)) as at
      from timers where status = 'pending'
    ), m as materialized (
      select * from messages
      where status = 'pending' and available_at <= (select at from horizon)
        and not exists (select 1 from timers earlier
          where earlier.machine_id = messages.machine_id and earlier.status = 'pending'
            and earlier.due_at < messages.available_at offset 0)
        and not exists (select 1 from messages earlier
          where earlier.machine_id = messages.machine_id and earlier.status = 'pending'
            and (earlier.available_at, earlier.id) < (messages.available_at, messages.id) offset 0)
      order by available_at, id limit ${sql.lit(limit)}
      for update skip locked
    ), t as materialized (
      select * from timers
      where not exists (select 1 from m) and status = 'pending' and due_at <= (select ${now}::timestamptz)
        and not exists (select 1 from timers earlier
          where earlier.machine_id = timers.machine_id and earlier.status = 'pending'
            and (earlier.due_at, earlier.id) < (timers.due_at, timers.id) offset 0)
        and not exists (select 1 from messages earlier
          where earlier.machine_id = timers.machine_id and earlier.status = 'pending'
            and earlier.available_at <= timers.due_at offset 0)
      order by due_at, id limit ${sql.lit(limit)}
      for update skip locked
    )`

/** A claimed item's row in `claimBatch`'s answer, with its machine when locked, or a message of a backlog. */
type BatchRow = ItemRow &
  CampaignColumns & {
    readonly part: "claimed" | "backlog"
    readonly machine_kind: MachineRow["kind"] | null
    readonly machine_unit_key: string | null
    readonly machine_snapshot: unknown
    readonly machine_version: number | null
    readonly machine_machine_hash: string | null
    readonly machine_phase: string | null
    readonly machine_status: string | null
    readonly machine_overdue: boolean | null
    readonly machine_updated_at: Date | null
    readonly backlog_horizon: Date | null
    readonly n: string
    readonly ord: Date
  }

/** A worker's batch as one statement claimed it (`claimBatch`). */
export interface ClaimedBatch {
  /** the items claimed, in the order to apply them */
  readonly items: QueueItem[]
  /** their machines that no one else held, locked; and those machines' campaigns */
  readonly machines: MachineRow[]
  readonly campaigns: Map<string, { readonly row: CampaignRow; readonly hash: string }>
  /**
   * Behind each claimed message whose machine is locked, up to `backlog` of its event messages
   * never tried, available by `horizon` (before every pending timer), oldest first, locked: in
   * the order of the claimed items, then of their machine's queue.
   */
  readonly backlog: { readonly items: QueueItem[]; readonly horizon: Date | undefined }
}

/**
 * A worker's batch in one statement: the claim of `claimDueItems`, the claimed items' machines
 * locked unless another transaction holds them (a command: the item is left to it), with their
 * campaigns, and when messages were claimed, the backlogs behind them as `lockBacklogs` would
 * take them before the batch's own steps (`ApplyDue.ts` uses them unless a step sent a message
 * to one of these machines or set a timer before their horizon).
 */
export const claimBatch = async (db: Sql, now: Date, limit: number, backlog: number): Promise<ClaimedBatch> => {
  const { rows } = await claimBatchStatement(now, limit, backlog).execute(db)
  const items: QueueItem[] = []
  const machines: MachineRow[] = []
  const campaigns = new Map<string, { readonly row: CampaignRow; readonly hash: string }>()
  const backlogItems: QueueItem[] = []
  let horizon: Date | undefined
  for (const row of rows) {
    const { campaign, rest } = splitCampaign(row)
    const {
      part,
      machine_kind,
      machine_unit_key,
      machine_snapshot,
      machine_version,
      machine_machine_hash,
      machine_phase,
      machine_status,
      machine_overdue,
      machine_updated_at,
      backlog_horizon,
      n: _n,
      ord: _ord,
      ...item
    } = rest
    if (part === "backlog") {
      backlogItems.push(queueItemOf(item))
      continue
    }
    if (backlog_horizon !== null) horizon = backlog_horizon
    items.push(queueItemOf(item))
    // Its machine is locked: the row as the lock read it, and its campaign.
    if (machine_kind === null || item.machine_id === null) continue
    machines.push({
      id: item.machine_id,
      campaign_id: item.campaign_id,
      kind: machine_kind,
      unit_key: machine_unit_key,
      snapshot: machine_snapshot,
      version: machine_version as number,
      machine_hash: machine_machine_hash as string,
      phase: machine_phase,
      status: machine_status as string,
      overdue: machine_overdue as boolean,
      updated_at: machine_updated_at as Date,
    } as MachineRow)
    campaigns.set(item.campaign_id, campaign)
  }
  return {
    items,
    machines,
    campaigns,
    backlog: { items: backlogItems, horizon: backlogItems.length === 0 ? undefined : horizon },
  }
}

/** The statement of `claimBatch`. */
export const claimBatchStatement = (now: Date, limit: number, backlog: number) =>
  sql<BatchRow>`${keepsGenericPlan} with ${claimCtes(now, limit)}, claimed as materialized (
      ${itemColumns("m", "t")}
    ), locked as materialized (
      select * from machines where id in (select machine_id from claimed)
      order by id for no key update skip locked
    ), marked as materialized (
      -- Each claimed item's machine marked for the workers' looks (\`workerLook\`), until the commit.
      select count(*) as n from (select pg_advisory_xact_lock(${claimLockSpace}, ${machineLockKey("machine_id")})
        from claimed order by machine_id) a
    ), backlog_horizon as (
      ${backlogHorizon(now)}
    ), backlog as materialized (
      select b.*, c.n from (select id, row_number() over (order by available_at, id) as n, machine_id from m) c
      join locked l on l.id = c.machine_id
      cross join lateral (
        select * from messages
        where machine_id = l.id and status = 'pending' and kind = 'event' and attempts = 0 and id <> c.id
          and available_at <= (select at from backlog_horizon)
        order by available_at, id limit ${sql.lit(backlog)}
        for update
      ) b
    )
    select 'claimed' as part, c.*, l.kind as machine_kind, l.unit_key as machine_unit_key,
      l.snapshot as machine_snapshot, l.version as machine_version, l.machine_hash as machine_machine_hash,
      l.phase as machine_phase, l.status as machine_status, l.overdue as machine_overdue,
      l.updated_at as machine_updated_at, ${campaignColumns("k", "d")},
      (select at from backlog_horizon where (select n from marked) >= 0) as backlog_horizon,
      0::bigint as n, coalesce(c.available_at, c.due_at) as ord
    from claimed c left join locked l on l.id = c.machine_id
      left join campaigns k on k.id = l.campaign_id left join definitions d on d.id = k.definition_id
    union all
    select 'backlog', 'message', b.id, b.campaign_id, b.machine_id, b.event, b.status, b.attempts, b.last_error,
      b.created_at, b.done_at, b.kind, b.dedupe_key, b.available_at, null, null,
      null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
      b.n, b.available_at
    from backlog b
    order by part desc, n, ord, id`

/**
 * The earliest item due on one machine by `at` — a timer due, or an event message sent — in
 * the worker's order (a message first unless a timer fell due before it was sent), locked in
 * the same statement (waiting for a worker that holds it). Items that failed before are left
 * to the worker and its backoff, and so are those in `skip`. `undefined` when nothing is due;
 * `taken` when the item found was done by its holder meanwhile (look again).
 */
export const lockNextDueOfMachine = async (
  db: Sql,
  machineId: string,
  at: Date,
  skip: { readonly timers: ReadonlyArray<string>; readonly messages: ReadonlyArray<string> },
): Promise<QueueItem | "taken" | undefined> => {
  const { rows } = await sql<ItemRow & { found: "timer" | "message" }>`
    with next as (
      (select 'timer' as kind, id, due_at as at from timers
        where machine_id = ${machineId} and status = 'pending' and attempts = 0 and due_at <= ${at}
          and id <> all(${skip.timers}::bigint[])
        order by due_at, id limit 1)
      union all
      (select 'message' as kind, id, available_at as at from messages
        where machine_id = ${machineId} and status = 'pending' and attempts = 0 and kind = 'event'
          and available_at <= ${at} and id <> all(${skip.messages}::bigint[])
        order by available_at, id limit 1)
    ), first as (
      -- a message first unless a timer fell due before it was sent
      select kind, id from next order by at, kind = 'timer' limit 1
    ), lt as materialized (
      select * from timers where id = (select id from first where kind = 'timer') and status = 'pending'
      for update
    ), lm as materialized (
      select * from messages where id = (select id from first where kind = 'message') and status = 'pending'
      for update
    )
    select f.kind as found, x.* from first f left join lateral (${itemColumns("lm", "lt")}) x on true`.execute(db)
  const row = rows[0]
  if (row === undefined) return undefined
  const { found: _, ...item } = row
  return item.id === null ? "taken" : queueItemOf(item)
}

/**
 * The backlogs of machines a batch holds, in one statement: for each of `machineIds`, up to
 * `limit` of its event messages never tried that are available by the horizon, oldest first,
 * locked (waiting for a worker that holds one for a moment). The horizon is `now`, but before
 * every pending timer, so that no message overtakes what a timer causes; it comes back with
 * the messages (their marks' time).
 */
export const lockBacklogs = async (db: Sql, machineIds: ReadonlyArray<string>, now: Date, limit: number) => {
  const { rows } = await sql<MessageRow & { horizon: Date }>`
    with horizon as (
      ${backlogHorizon(now)}
    )
    select m.*, (select at from horizon) as horizon
    from unnest(${machineIds}::bigint[]) with ordinality as k(id, n)
    cross join lateral (
      select * from messages
      where machine_id = k.id and status = 'pending' and kind = 'event' and attempts = 0
        and available_at <= (select at from horizon)
      order by available_at, id limit ${limit}
      for update
    ) m
    order by k.n, m.available_at, m.id`.execute(db)
  const items = rows.map(({ horizon: _, ...row }) => ({ kind: "message", row }) satisfies QueueItem)
  return { items, horizon: rows[0]?.horizon }
}

/** Locks a timer that is still pending (waiting for a worker that holds it), or nothing. */
export const lockPendingTimer = (db: Sql, id: string) =>
  db
    .selectFrom("timers")
    .selectAll()
    .where("id", "=", id)
    .where("status", "=", "pending")
    .forUpdate()
    .executeTakeFirst()

/** Locks a message that is still pending, or nothing. */
export const lockPendingMessage = (db: Sql, id: string) =>
  db
    .selectFrom("messages")
    .selectAll()
    .where("id", "=", id)
    .where("status", "=", "pending")
    .forUpdate()
    .executeTakeFirst()

/** Marks claimed items of one queue applied (`done`) or no longer accepted (`moot`, with the reason), in one statement. */
export const completeMany = (
  db: Sql,
  queue: "timers" | "messages",
  items: ReadonlyArray<{ readonly id: string; readonly status: "done" | "moot"; readonly note: string | null }>,
  at: Date,
) =>
  sql`${unprepared}
    update ${sql.table(queue)} as q
    set status = u.status, done_at = ${at}, last_error = u.note
    from unnest(${items.map((i) => i.id)}::bigint[], ${items.map((i) => i.status)}::text[],
      ${items.map((i) => i.note)}::text[]) as u(id, status, note)
    where q.id = u.id`.execute(db)

/** Marks a claimed timer as applied (`done`) or as no longer accepted by its machine (`moot`). */
export const completeTimer = (db: Sql, id: string, status: "done" | "moot", at: Date, note: string | null) =>
  db.updateTable("timers").set({ status, done_at: at, last_error: note }).where("id", "=", id).execute()

/** Marks a claimed message as applied or moot. */
export const completeMessage = (db: Sql, id: string, status: "done" | "moot", at: Date, note: string | null) =>
  db.updateTable("messages").set({ status, done_at: at, last_error: note }).where("id", "=", id).execute()

/**
 * Records a failed attempt at a timer or message still at `attempts` failures: it is retried
 * at `retryAt`, or parked as `dead` once it has failed `maxAttempts` times. Returns the item's
 * status and attempts now (nothing when it was no longer pending at that count).
 */
export const failQueueItem = async (
  db: Sql,
  queue: "timers" | "messages",
  id: string,
  attempts: number,
  error: string,
  retryAt: Date,
  maxAttempts: number,
) => {
  const { rows } = await sql<{ status: "pending" | "dead"; attempts: number }>`
    update ${sql.table(queue)}
    set attempts = attempts + 1,
        last_error = ${error},
        ${sql.ref(queue === "timers" ? "due_at" : "available_at")} = ${retryAt},
        status = case when attempts + 1 >= ${maxAttempts} then 'dead' else 'pending' end
    where id = ${id} and status = 'pending' and attempts = ${attempts}
    returning status, attempts
  `.execute(db)
  return rows[0]
}

/** The earliest pending timer's due time: for ordering claims, and for sleeping until then. */
export const nextDueAt = (db: Sql) =>
  // 'pending' written out: the partial index `timers_due` serves only that literal.
  sql<{ due_at: Date | null }>`select min(due_at) as due_at from timers where status = 'pending'`
    .execute(db)
    .then((result) => result.rows[0])

/** Of the machines `machineIds`, those with event messages never tried that are available by `horizon`: a backlog. */
export const backlogged = (db: Sql, machineIds: ReadonlyArray<string>, horizon: Date) =>
  db
    .selectFrom("messages")
    .select("machine_id")
    .distinct()
    .where("machine_id", "in", machineIds)
    .where("status", "=", "pending")
    .where("kind", "=", "event")
    .where("attempts", "=", 0)
    .where("available_at", "<=", horizon)
    .execute()
    .then((rows) => rows.flatMap((row) => (row.machine_id === null ? [] : [row.machine_id])))
