/**
 * The queue protocol, one statement per function: claim the next due timer or
 * pending message with SKIP LOCKED (so any number of workers share the queue
 * without waiting on each other), find what is due on one machine, then mark
 * each item done, moot or failed in the transaction that applied it.
 */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/*
 * Per machine, items are applied in time order even with many workers: an item
 * is claimable only when its machine has no pending item that comes before it
 * (a timer due earlier, or a message sent no later than the timer's time —
 * messages are the consequences of what already happened).
 */

/**
 * Claims up to `limit` of the earliest timers due at `now` whose machines have nothing
 * earlier pending: at most one a machine, since a machine's second item has its first before it.
 */
export const claimDueTimers = (db: Sql, now: Date, limit: number) =>
  db
    .selectFrom("timers")
    .selectAll()
    .where("status", "=", "pending")
    .where("due_at", "<=", now)
    .where(
      sql<boolean>`not exists (
        select 1 from timers earlier
        where earlier.machine_id = timers.machine_id and earlier.status = 'pending'
          and (earlier.due_at, earlier.id) < (timers.due_at, timers.id))`,
    )
    .where(
      sql<boolean>`not exists (
        select 1 from messages earlier
        where earlier.machine_id = timers.machine_id and earlier.status = 'pending'
          and earlier.available_at <= timers.due_at)`,
    )
    .orderBy("due_at")
    .orderBy("id")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()

/** Claims the earliest timer due at `now` whose machine has nothing earlier pending, or nothing. */
export const claimDueTimer = (db: Sql, now: Date) => claimDueTimers(db, now, 1).then((rows) => rows[0])

/** Claims up to `limit` of the oldest messages available at `now` whose machines have nothing earlier pending. */
export const claimMessages = (db: Sql, now: Date, limit: number) =>
  db
    .selectFrom("messages")
    .selectAll()
    .where("status", "=", "pending")
    .where("available_at", "<=", now)
    .where(
      sql<boolean>`not exists (
        select 1 from timers earlier
        where earlier.machine_id = messages.machine_id and earlier.status = 'pending'
          and earlier.due_at < messages.available_at)`,
    )
    .where(
      sql<boolean>`not exists (
        select 1 from messages earlier
        where earlier.machine_id = messages.machine_id and earlier.status = 'pending'
          and (earlier.available_at, earlier.id) < (messages.available_at, messages.id))`,
    )
    .orderBy("available_at")
    .orderBy("id")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()

/** Claims the oldest message available at `now` whose machine has nothing earlier pending, or nothing. */
export const claimMessage = (db: Sql, now: Date) => claimMessages(db, now, 1).then((rows) => rows[0])

/**
 * The earliest item due on one machine by `at` — a timer due, or an event message sent — in
 * the worker's order (a message first unless a timer fell due before it was sent). Items that
 * failed before are left to the worker and its backoff, and so are those in `skip`.
 */
export const nextDueOfMachine = async (
  db: Sql,
  machineId: string,
  at: Date,
  skip: { readonly timers: ReadonlyArray<string>; readonly messages: ReadonlyArray<string> },
) => {
  const { rows } = await sql<{ kind: "timer" | "message"; id: string; at: Date }>`
    (select 'timer' as kind, id, due_at as at from timers
      where machine_id = ${machineId} and status = 'pending' and attempts = 0 and due_at <= ${at}
        and id <> all(${skip.timers}::bigint[])
      order by due_at, id limit 1)
    union all
    (select 'message' as kind, id, available_at as at from messages
      where machine_id = ${machineId} and status = 'pending' and attempts = 0 and kind = 'event'
        and available_at <= ${at} and id <> all(${skip.messages}::bigint[])
      order by available_at, id limit 1)
  `.execute(db)
  const timer = rows.find((row) => row.kind === "timer")
  const message = rows.find((row) => row.kind === "message")
  if (timer !== undefined && (message === undefined || new Date(timer.at) < new Date(message.at))) return timer
  return message
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
  sql`
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
  db
    .selectFrom("timers")
    .select((eb) => eb.fn.min("due_at").as("due_at"))
    .where("status", "=", "pending")
    .executeTakeFirst()

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
