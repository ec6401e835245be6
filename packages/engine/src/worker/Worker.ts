/**
 * The worker: applies due timers and pending messages, exactly once each (the queue row is marked in the transaction that applies
 * it). Any number of workers may run against one PostgreSQL. It wakes on
 * NOTIFY, polls as a fallback, waits out a database outage (a restart, a lost
 * network) and carries on, and stops between items when interrupted.
 */
import { Cause, Deferred, Effect } from "effect"
import { Clock } from "../Clock.ts"
import { Db, query, transaction } from "../Db.ts"
import { type LoadedCampaign, loadCampaign } from "../Definitions.ts"
import { applyDue } from "../DueFirst.ts"
import { StoreError } from "../Errors.ts"
import { workChannel } from "../FollowUps.ts"
import { Log } from "../Log.ts"
import { applyItem, applyItemEvent, completeItem, eventOf, type QueueItem } from "../QueueItem.ts"
import { describeCause, underSavepoint } from "../Savepoint.ts"
import { lockMachineById, tryLockMachineById, tryLockMachinesById } from "../Step.ts"
import { claimDueTimer, claimDueTimers, claimMessage, claimMessages, completeMany, nextDueAt } from "../sql/claims.ts"
import { recordFailure, recordFailureIn } from "./deadLetter.ts"
import { writeSummary } from "./summary.ts"

/** How a worker behaves. */
export interface WorkerOptions {
  /** Longest sleep between looks at the queue when nothing wakes it (ms). */
  readonly pollMs?: number
  /** Attempts before a failing timer or message is parked as dead. */
  readonly maxAttempts?: number
  /** Most items of one machine applied in one transaction (default 100). */
  readonly batch?: number
  /** Most machines' next items claimed and applied together in one transaction (default 32; 1 claims one at a time). */
  readonly claim?: number
}

/** What one pass did. */
export interface WorkerTally {
  /** events applied to machines */
  applied: number
  /** events their machine no longer accepted (e.g. a reminder for a task already reported) */
  moot: number
  summaries: number
  /** attempts that failed and will be retried (or were parked as dead) */
  failed: number
}

const noBacklog = { applied: 0, moot: 0 }

type Tx = Parameters<Parameters<typeof transaction>[1]>[0]

/**
 * After a message, the messages queued behind it on the same machine, in the same
 * transaction: a campaign machine hears from every unit at a phase's end, and one claim per
 * message would make that fan-in cost one transaction (and one scan of the queue) each. Only
 * messages sent before every pending timer are taken, so none overtakes what a timer causes.
 */
const applyBacklog = (tx: Tx, item: QueueItem, now: Date, limit: number) =>
  Effect.gen(function* () {
    if (item.row.machine_id === null) return noBacklog
    const loaded = yield* loadCampaign(item.row.campaign_id, tx)
    const horizon = yield* backlogHorizon(tx, now)
    const machine = yield* lockMachineById(tx, item.row.machine_id)
    const { applied, moot } = yield* applyDue(tx, loaded, machine, horizon, limit)
    return { applied, moot }
  })

/** How far a backlog may be drained: to `now`, but before every pending timer (the pass may have set new ones). */
const backlogHorizon = (tx: Tx, now: Date) =>
  Effect.map(
    query("queue.nextDue", () => nextDueAt(tx), tx),
    (next) => (next?.due_at ? new Date(Math.min(now.getTime(), new Date(next.due_at).getTime() - 1)) : now),
  )

/**
 * Up to when messages may be claimed: `now`, or the earliest pending timer's time if that is
 * earlier — a message goes first unless a timer fell due before it was sent (a message at the
 * same instant is a consequence, so it goes first).
 */
const messageHorizon = (tx: Tx, now: Date) =>
  Effect.map(
    query("queue.nextDue", () => nextDueAt(tx), tx),
    (next) => {
      const timerDue = next?.due_at ? new Date(next.due_at) : undefined
      return timerDue !== undefined && timerDue < now ? timerDue : now
    },
  )

/** Applies one claimed item inside its transaction; says what happened to it. */
const applyClaimed = (tx: Tx, item: QueueItem, now: Date) =>
  Effect.gen(function* () {
    const loaded = yield* loadCampaign(item.row.campaign_id, tx)
    if (item.kind === "message" && item.row.kind === "summary") {
      yield* writeSummary(tx, loaded, eventOf(item).at)
      yield* completeItem(tx, item, "done", null, now)
      return "summary" as const
    }
    // A message for no machine (its unit is unknown) is a defect: it fails, and is parked.
    if (item.row.machine_id === null) return yield* Effect.die(new Error(`${item.kind} ${item.row.id} has no machine`))
    // A command holds the machine: it applies this item itself if it is due by the command's time.
    const machine = yield* tryLockMachineById(tx, item.row.machine_id)
    if (machine === undefined) return "busy" as const
    return yield* applyItem(tx, loaded, machine, item, now)
  })

/** Logs a failed attempt and records it with `record`, its backoff counted from now; `"failed"`. */
const failed = <E, R>(
  item: QueueItem,
  reason: string,
  record: (at: Date, reason: string) => Effect.Effect<"pending" | "dead" | undefined, E, R>,
) =>
  Effect.gen(function* () {
    const log = yield* Log
    const fields = { item: item.kind, id: item.row.id, campaign: item.row.campaign_id, err: reason }
    log.error(fields, "queue item failed")
    // From the failure, not from the start of a pass that may have run long.
    const left = yield* record(yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now), reason)
    if (left === "dead") log.error(fields, "queue item parked as dead")
    return "failed" as const
  })

/**
 * Claims and applies the next due item (and, after a message, the messages behind it on its
 * machine); `undefined` when nothing is due at `now`.
 */
export const processNext = (now: Date, options: WorkerOptions = {}) =>
  Effect.gen(function* () {
    let claimed: QueueItem | undefined
    let backlog = noBacklog
    const outcome = yield* transaction("worker.item", (tx) =>
      Effect.gen(function* () {
        const horizon = yield* messageHorizon(tx, now)
        const message = yield* query("queue.claimMessage", () => claimMessage(tx, horizon), tx)
        const timer =
          message === undefined ? yield* query("queue.claimTimer", () => claimDueTimer(tx, now), tx) : undefined
        claimed =
          message !== undefined
            ? { kind: "message", row: message }
            : timer !== undefined
              ? { kind: "timer", row: timer }
              : undefined
        if (claimed === undefined) return undefined
        const item = claimed
        const attempt = yield* underSavepoint(tx, "queue_item", applyClaimed(tx, item, now))
        if (attempt.ok) {
          const batch = options.batch ?? 100
          if (item.kind === "message" && (attempt.value === "applied" || attempt.value === "moot") && batch > 1) {
            // Best effort: a backlog that fails is left to later claims, never charged to this item.
            const more = yield* underSavepoint(tx, "backlog", applyBacklog(tx, item, now, batch - 1))
            backlog = more.ok ? more.value : noBacklog
          }
          return attempt.value
        }
        // Recorded in the same transaction, while the item is still locked: no other worker
        // can try it again before its backoff is on the record.
        return yield* failed(item, describeCause(attempt.cause), (at, reason) =>
          recordFailureIn(tx, item, reason, at, options.maxAttempts ?? 5),
        )
      }),
    ).pipe(
      // A failure the transaction could not survive (the connection lost, retries used up) is
      // recorded in a transaction of its own; nothing that goes wrong with one item stops the worker.
      Effect.catchCause((cause) => {
        const item = claimed
        if (item === undefined || Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
        return failed(item, describeCause(cause), (at, reason) =>
          recordFailure(item, reason, at, options.maxAttempts ?? 5),
        )
      }),
      Effect.uninterruptible,
    )
    return outcome === undefined ? undefined : { outcome, backlog }
  })

/**
 * Claims the next due item of up to `options.claim` machines and applies them all in one
 * transaction — their journal rows appended under one head lock, one commit for all — then,
 * behind each message, the messages queued on its machine. Nothing runs under a savepoint:
 * if an item fails, the whole transaction rolls back and the caller goes on one item at a
 * time (`processNext`), which records the failure. `undefined` when nothing is due; `busy`
 * when every claimed item's machine was in a command's hands.
 */
export const processBatch = (now: Date, options: WorkerOptions = {}) =>
  transaction("worker.batch", (tx) =>
    Effect.gen(function* () {
      const claimable = yield* messageHorizon(tx, now)
      const limit = options.claim ?? 32
      const messages = yield* query("queue.claimMessages", () => claimMessages(tx, claimable, limit), tx)
      const items: QueueItem[] =
        messages.length > 0
          ? messages.map((row) => ({ kind: "message", row }))
          : (yield* query("queue.claimTimers", () => claimDueTimers(tx, now, limit), tx)).map((row) => ({
              kind: "timer",
              row,
            }))
      if (items.length === 0) return undefined
      // A message for no machine (its unit is unknown) is a defect the one-at-a-time path records.
      if (items.some((item) => item.row.machine_id === null)) return "careful" as const
      const ids = [...new Set(items.flatMap((item) => (item.row.machine_id === null ? [] : [item.row.machine_id])))]
      const machines = new Map((yield* tryLockMachinesById(tx, ids)).map((row) => [row.id, row]))
      if (machines.size === 0) return "busy" as const
      const tally: WorkerTally = { applied: 0, moot: 0, summaries: 0, failed: 0 }
      const campaigns = new Map<string, LoadedCampaign>()
      const marks = { timers: [] as Completion[], messages: [] as Completion[] }
      const applied: QueueItem[] = []
      // Machines an earlier item of this batch sent a message to: that message comes first.
      const heard = new Set<string>()
      for (const item of items) {
        const machine = item.row.machine_id === null ? undefined : machines.get(item.row.machine_id)
        // A machine a command holds, or one that has a message from this batch to apply first.
        if (machine === undefined || heard.has(machine.id)) continue
        let loaded = campaigns.get(item.row.campaign_id)
        if (loaded === undefined) {
          loaded = yield* loadCampaign(item.row.campaign_id, tx)
          campaigns.set(item.row.campaign_id, loaded)
        }
        const queue = item.kind === "timer" ? marks.timers : marks.messages
        if (item.kind === "message" && item.row.kind === "summary") {
          yield* writeSummary(tx, loaded, eventOf(item).at)
          queue.push({ id: item.row.id, status: "done", note: null })
          tally.summaries++
          continue
        }
        const step = yield* applyItemEvent(tx, loaded, machine, item)
        for (const id of step.sentTo) heard.add(id)
        queue.push({ id: item.row.id, status: step.outcome === "applied" ? "done" : "moot", note: step.note })
        tally[step.outcome]++
        if (item.kind === "message") applied.push(item)
      }
      if (marks.timers.length > 0)
        yield* query("queue.completeTimers", () => completeMany(tx, "timers", marks.timers, now), tx)
      if (marks.messages.length > 0)
        yield* query("queue.completeMessages", () => completeMany(tx, "messages", marks.messages, now), tx)
      // Behind each message, its machine's backlog (a campaign machine hears from every unit).
      const batch = options.batch ?? 100
      const drain = batch > 1 && applied.length > 0
      const horizon = drain ? yield* backlogHorizon(tx, now) : now
      const behind = drain ? yield* query("queue.backlogged", () => backlogged(tx, applied, horizon), tx) : []
      for (const machineId of behind) {
        const item = applied.find((candidate) => candidate.row.machine_id === machineId)
        const loaded = item === undefined ? undefined : campaigns.get(item.row.campaign_id)
        if (loaded === undefined) continue
        const machine = yield* lockMachineById(tx, machineId)
        const more = yield* applyDue(tx, loaded, machine, horizon, batch - 1, false)
        tally.applied += more.applied
        tally.moot += more.moot
      }
      // Every claimed item was skipped: what it waits for (a command, an earlier message) comes first.
      return tally.applied + tally.moot + tally.summaries === 0 ? ("busy" as const) : tally
    }),
  ).pipe(Effect.uninterruptible)

/** Of the machines of `items`, those with event messages still pending by `horizon`. */
const backlogged = async (tx: Tx, items: ReadonlyArray<QueueItem>, horizon: Date) => {
  const ids = items.flatMap((item) => (item.row.machine_id === null ? [] : [item.row.machine_id]))
  const rows = await tx
    .selectFrom("messages")
    .select("machine_id")
    .distinct()
    .where("machine_id", "in", ids)
    .where("status", "=", "pending")
    .where("kind", "=", "event")
    .where("attempts", "=", 0)
    .where("available_at", "<=", horizon)
    .execute()
  return rows.flatMap((row) => (row.machine_id === null ? [] : [row.machine_id]))
}

type Completion = { readonly id: string; readonly status: "done" | "moot"; readonly note: string | null }

/** Applies everything due at `now`, including the work that produces; returns a tally. */
export const runUntilIdle = (now: Date, options: WorkerOptions = {}) =>
  Effect.gen(function* () {
    const tally: WorkerTally = { applied: 0, moot: 0, summaries: 0, failed: 0 }
    // Passes left one item at a time, after a batch failed: the failing item is found and recorded.
    let careful = (options.claim ?? 32) > 1 ? 0 : Number.POSITIVE_INFINITY
    while (true) {
      if (careful <= 0) {
        const batch = yield* processBatch(now, options).pipe(
          Effect.catchCause((cause) =>
            Cause.hasInterruptsOnly(cause)
              ? Effect.failCause(cause)
              : Effect.flatMap(Effect.service(Log), (log) =>
                  Effect.sync(() => {
                    log.warn({ err: describeCause(cause) }, "batch failed; applying items one at a time")
                    return "careful" as const
                  }),
                ),
          ),
        )
        if (batch === undefined) return tally
        if (batch === "busy") yield* Effect.sleep(5)
        else if (batch === "careful") careful = options.claim ?? 32
        else {
          tally.applied += batch.applied
          tally.moot += batch.moot
          tally.summaries += batch.summaries
        }
        continue
      }
      careful--
      // A failed item is retried after `now`, so a pass always ends.
      const next = yield* processNext(now, options)
      if (next === undefined) return tally
      const { outcome, backlog } = next
      // The item's machine is in a command's hands for a moment; look again shortly.
      if (outcome === "busy") yield* Effect.sleep(5)
      else if (outcome === "summary") tally.summaries++
      else tally[outcome]++
      tally.applied += backlog.applied
      tally.moot += backlog.moot
    }
  })

/** Runs until interrupted: drains what is due, then sleeps until woken, the next timer, or the poll interval. */
export const runWorker = (options: WorkerOptions = {}) =>
  Effect.gen(function* () {
    const { store, kysely } = yield* Db
    const clock = yield* Clock
    const log = yield* Log
    let wake = yield* Deferred.make<void>()
    const unlisten = yield* Effect.promise(() =>
      store.listen(workChannel, () => {
        Deferred.doneUnsafe(wake, Effect.void)
      }),
    )
    yield* Effect.addFinalizer(() => Effect.promise(() => unlisten()))
    log.info({ database: store.describe }, "worker started")
    const pollMs = options.pollMs ?? 1000
    // Consecutive passes the database failed; while it is away the worker waits and tries again.
    let outage = 0
    while (true) {
      const looked = yield* Effect.gen(function* () {
        const now = yield* clock.now
        const tally = yield* runUntilIdle(now, options)
        if (tally.applied + tally.moot + tally.summaries + tally.failed > 0) log.info(tally, "worker pass")
        const next = yield* query("queue.nextDue", () => nextDueAt(kysely))
        return next?.due_at ? new Date(next.due_at).getTime() - now.getTime() : pollMs
      }).pipe(Effect.catchTag("StoreError", (error) => Effect.succeed(error)))
      if (looked instanceof StoreError) {
        outage++
        if (outage === 1)
          log.warn({ err: `${looked.en}: ${String(looked.cause)}` }, "database unavailable; the worker keeps trying")
        yield* Effect.sleep(Math.min(10_000, 250 * 2 ** Math.min(outage, 6)))
        continue
      }
      if (outage > 0) log.info({ failedPasses: outage }, "database available again")
      outage = 0
      wake = yield* Deferred.make<void>()
      yield* Effect.raceFirst(Deferred.await(wake), Effect.sleep(Math.max(10, Math.min(pollMs, looked))))
    }
  }).pipe(
    // Interruption (SIGTERM) lands between items: each item runs uninterruptibly.
    Effect.onInterrupt(() =>
      Effect.flatMap(Effect.service(Log), (log) => Effect.sync(() => log.info("worker stopped"))),
    ),
    Effect.scoped,
  )
