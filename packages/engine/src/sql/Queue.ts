/**
 * The queue protocol, one statement per function: claim the next due timer or
 * pending message with SKIP LOCKED (so any number of workers share the queue
 * without waiting on each other), find what is due on one machine, then mark
 * each item done, moot or failed in the transaction that applied it.
 */

import type { MessageRow, TimerRow } from "@liandong/store"
import { sql } from "kysely"
import { type Sql, unprepared } from "../Db.ts"

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
 */
export const claimDueItems = async (db: Sql, now: Date, limit: number) => {
  const { rows } = await claimDueStatement(now, limit).execute(db)
  return rows.map(queueItemOf)
}

/** The statement of `claimDueItems`. */
export const claimDueStatement = (now: Date, limit: number) =>
  sql<ItemRow>`${unprepared}
    with horizon as (
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
      order by available_at, id limit ${limit}
      for update skip locked
    ), t as materialized (
      select * from timers
      where not exists (select 1 from m) and status = 'pending' and due_at <= ${now}
        and not exists (select 1 from timers earlier
          where earlier.machine_id = timers.machine_id and earlier.status = 'pending'
            and (earlier.due_at, earlier.id) < (timers.due_at, timers.id) offset 0)
        and not exists (select 1 from messages earlier
          where earlier.machine_id = timers.machine_id and earlier.status = 'pending'
            and earlier.available_at <= timers.due_at offset 0)
      order by due_at, id limit ${limit}
      for update skip locked
    )
    select * from (${itemColumns("m", "t")}) claimed
    order by coalesce(available_at, due_at), id`

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
      select least(${now}::timestamptz, coalesce(min(due_at) - interval '1 millisecond', ${now}::timestamptz)) as at
      from timers where status = 'pending'
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
