/**
 * The worker: applies due timers and pending messages, exactly once each (the queue row is marked in the transaction that applies
 * it). Any number of workers may run against one PostgreSQL. It wakes on
 * NOTIFY, polls as a fallback, waits out a database outage (a restart, a lost
 * network) and carries on, and stops between items when interrupted.
 */
import { Cause, Deferred, Effect } from "effect"
import { type Applied, applyDue } from "../ApplyDue.ts"
import { Clock } from "../Clock.ts"
import { Db, query } from "../Db.ts"
import { StoreError } from "../Errors.ts"
import { workChannel } from "../FollowUps.ts"
import { journaled } from "../Journal.ts"
import { Log } from "../Log.ts"
import { deliverNotices } from "../notices/Notices.ts"
import type { QueueItem } from "../QueueItem.ts"
import { describeCause } from "../Savepoint.ts"
import { workDue, workerLook } from "../sql/Notices.ts"
import { claimBatch, claimDueItems } from "../sql/Queue.ts"
import { noteFailure, recordFailure } from "./DeadLetter.ts"
import { keepUp } from "./Upkeep.ts"

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
  /**
   * How often the worker looks whether a table is due for what autovacuum would do, and does it,
   * where none runs (PGlite, or a server with it off; see `Upkeep.ts`), in ms: default 5,000; 0
   * never. Autovacuum's own minute is too long for the queues: a national phase's sweep leaves
   * tens of thousands of dead entries in their partial indexes within seconds, and every claim
   * walks them (docs/performance.md). A look that finds nothing due is one cheap statement.
   */
  readonly upkeepMs?: number
  /**
   * How long a worker woken by new work waits for more before it looks (ms, default 2): the
   * wake-ups of a burst of commands then share one pass, its look and its claim. 0 looks at once.
   */
  readonly gatherMs?: number
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

/**
 * Claims and applies the next due item (and, after a message, the messages behind it on its
 * machine) under a savepoint, recording a failure on the item; `undefined` when nothing is
 * due at `now`.
 */
export const processNext = (now: Date, options: WorkerOptions = {}) =>
  Effect.gen(function* () {
    let claimed: QueueItem | undefined
    const applied = yield* journaled("worker.item", (tx) =>
      Effect.gen(function* () {
        // The same claim as a batch's, of one item: a message first, else a timer due.
        claimed = (yield* query("queue.claimDue", (db) => claimDueItems(db, now, 1), tx))[0]
        if (claimed === undefined) return undefined
        return yield* applyDue(tx, [claimed], {
          now,
          mode: "isolated",
          perMachine: options.batch ?? 100,
          maxAttempts: options.maxAttempts ?? 5,
        })
      }),
    ).pipe(
      // A failure the transaction could not survive (the connection lost, retries used up) is
      // recorded in a transaction of its own; nothing that goes wrong with one item stops the worker.
      Effect.catchCause((cause) => {
        const item = claimed
        if (item === undefined || Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
        return Effect.map(
          noteFailure(item, describeCause(cause), (at, reason) =>
            recordFailure(item, reason, at, options.maxAttempts ?? 5),
          ),
          (failed): Applied<never> => ({ outcomes: [failed], backlog: noBacklog }),
        )
      }),
      Effect.uninterruptible,
    )
    if (applied === undefined) return undefined
    const first = applied.outcomes[0]
    // One item of one machine: nothing in the batch comes before it ("waiting" cannot happen).
    const outcome = first === undefined || first === "waiting" ? "busy" : first
    return { outcome, backlog: applied.backlog }
  })

/** `processBatch`, saying also how many items its claim took. */
const claimAndApply = (now: Date, options: WorkerOptions) =>
  journaled("worker.batch", (tx) =>
    Effect.gen(function* () {
      const limit = options.claim ?? 32
      const perMachine = options.batch ?? 100
      // Messages first (by the earliest pending timer), else timers due; their machines locked and
      // the backlogs behind the messages: one statement.
      const batch = yield* query("queue.claimBatch", (db) => claimBatch(db, now, limit, perMachine - 1), tx)
      const items = batch.items
      if (items.length === 0) return undefined
      const applied = yield* applyDue(tx, items, { now, mode: "batched", perMachine, claimed: batch })
      const tally: WorkerTally = { applied: 0, moot: 0, summaries: 0, failed: 0 }
      for (const outcome of applied.outcomes) {
        if (outcome === "applied" || outcome === "moot") tally[outcome]++
        else if (outcome === "summary") tally.summaries++
      }
      // Every claimed item was skipped: what it waits for (a command, an earlier message) comes first.
      if (tally.applied + tally.moot + tally.summaries === 0) return "busy" as const
      tally.applied += applied.backlog.applied
      tally.moot += applied.backlog.moot
      return { tally, claimed: items.length }
    }),
  ).pipe(Effect.uninterruptible)

/**
 * Claims the next due item of up to `options.claim` machines and applies them all in one
 * transaction — their journal rows appended under one head lock, one commit for all — then,
 * behind each message, the messages queued on its machine. Nothing runs under a savepoint:
 * if an item fails, the whole transaction rolls back and the caller goes on one item at a
 * time (`processNext`), which records the failure. `undefined` when nothing is due; `busy`
 * when every claimed item waits for something else (a command, an earlier message).
 */
export const processBatch = (now: Date, options: WorkerOptions = {}) =>
  Effect.map(claimAndApply(now, options), (done) => (typeof done === "object" ? done.tally : done))

/** Items a tally says were taken: applied, moot, summaries or failed. */
const taken = (tally: WorkerTally) => tally.applied + tally.moot + tally.summaries + tally.failed

const addTo = (tally: WorkerTally, more: WorkerTally) => {
  tally.applied += more.applied
  tally.moot += more.moot
  tally.summaries += more.summaries
  tally.failed += more.failed
}

/**
 * Applies what is due at `now` until a claim finds nothing, or, with `short`, until a claim
 * takes less than a batch (what it left, if anything, is another worker's or comes from the
 * batch itself: the caller looks before claiming again). `beforeClaim` is called as each claim
 * begins. `drained`: the last claim found nothing.
 */
const applyWhatIsDue = (now: Date, options: WorkerOptions, short: boolean, beforeClaim?: () => void) =>
  Effect.gen(function* () {
    const tally: WorkerTally = { applied: 0, moot: 0, summaries: 0, failed: 0 }
    const limit = options.claim ?? 32
    // Passes left one item at a time, after a batch failed: the failing item is found and recorded.
    let careful = limit > 1 ? 0 : Number.POSITIVE_INFINITY
    while (true) {
      if (careful <= 0) {
        beforeClaim?.()
        const batch = yield* claimAndApply(now, options).pipe(
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
        if (batch === undefined) return { tally, drained: true }
        if (batch === "busy") yield* Effect.sleep(5)
        else if (batch === "careful") careful = limit
        else {
          addTo(tally, batch.tally)
          if (short && batch.claimed < limit) return { tally, drained: false }
        }
        continue
      }
      careful--
      // A failed item is retried after `now`, so a pass always ends.
      const next = yield* processNext(now, options)
      if (next === undefined) return { tally, drained: true }
      const { outcome, backlog } = next
      // The item's machine is in a command's hands for a moment; look again shortly.
      if (outcome === "busy") yield* Effect.sleep(5)
      else if (outcome === "summary") tally.summaries++
      else if (typeof outcome === "string") tally[outcome]++
      tally.applied += backlog.applied
      tally.moot += backlog.moot
    }
  })

/**
 * Applies everything due at `now`, including the work that produces; returns a tally.
 * `beforeClaim` is called as each claim of a batch begins (the worker notes which wake-ups
 * that claim can already see).
 */
export const runUntilIdle = (now: Date, options: WorkerOptions = {}, beforeClaim?: () => void) =>
  Effect.map(applyWhatIsDue(now, options, false, beforeClaim), (ran) => ran.tally)

/**
 * One pass of a worker at `now`: a look that finds whether a timer or message is due, the
 * notices' work and the next timer; while something is due, claims until one takes less than
 * a batch, then looks again; the notices delivered; and when the next timer falls due. A
 * wake-up whose work another worker took costs the look alone, and a pass never ends with a
 * claim that finds nothing only to learn it was done.
 */
export const workerPass = (now: Date, options: WorkerOptions = {}, beforeClaim?: () => void) =>
  Effect.gen(function* () {
    const tally: WorkerTally = { applied: 0, moot: 0, summaries: 0, failed: 0 }
    const look = () => {
      // The look sees every wake-up committed before it, as a claim would.
      beforeClaim?.()
      return query("worker.look", (db) => workerLook(db, now))
    }
    let looked = yield* look()
    while (workDue(looked)) {
      const ran = yield* applyWhatIsDue(now, options, true, beforeClaim)
      addTo(tally, ran.tally)
      // Its claims took nothing: what the look saw is another worker's, or waits for an earlier item.
      if (ran.drained && taken(ran.tally) === 0) break
      // Notices (and messages) the pass wrote are in the next look.
      looked = yield* look()
      if (ran.drained) break
    }
    // Notices the pass wrote (and emails due for another attempt) go out before the worker sleeps.
    const notices = yield* deliverNotices(now, {}, looked)
    return { tally, notices, nextDue: looked.next_due === null ? null : new Date(looked.next_due) }
  })

/** Runs until interrupted: drains what is due, then sleeps until woken, the next timer, or the poll interval. */
export const runWorker = (options: WorkerOptions = {}) =>
  Effect.gen(function* () {
    const { store } = yield* Db
    const clock = yield* Clock
    const log = yield* Log
    let wake = yield* Deferred.make<void>()
    // Wake-ups heard, and how many of them the pass's last claim could already see: one that
    // came later (its work committed after that claim looked) starts another pass at once.
    let heard = 0
    let seen = 0
    const unlisten = yield* Effect.promise(() =>
      store.listen(workChannel, () => {
        heard++
        Deferred.doneUnsafe(wake, Effect.void)
      }),
    )
    yield* Effect.addFinalizer(() => Effect.promise(() => unlisten()))
    const upkeepMs = options.upkeepMs ?? 5_000
    if (upkeepMs > 0) yield* keepUp(upkeepMs)
    log.info({ database: store.describe }, "worker started")
    const pollMs = options.pollMs ?? 1000
    const gatherMs = options.gatherMs ?? 2
    // Consecutive passes the database failed; while it is away the worker waits and tries again.
    let outage = 0
    while (true) {
      const looked = yield* Effect.gen(function* () {
        const now = yield* clock.now
        const pass = yield* workerPass(now, options, () => {
          seen = heard
        })
        const { tally, notices } = pass
        if (taken(tally) > 0) log.info(tally, "worker pass")
        if (notices.expanded + notices.sent + notices.failed + notices.parked > 0) log.info(notices, "notices")
        return pass.nextDue === null ? pollMs : pass.nextDue.getTime() - now.getTime()
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
      if (heard === seen) {
        const woken = yield* Effect.raceFirst(
          Effect.as(Deferred.await(wake), true),
          Effect.as(Effect.sleep(Math.max(10, Math.min(pollMs, looked))), false),
        )
        if (!woken) continue
      }
      // Woken by new work (now, or during the pass): what else is on its way joins this pass.
      if (gatherMs > 0) yield* Effect.sleep(gatherMs)
    }
  }).pipe(
    // Interruption (SIGTERM) lands between items: each item runs uninterruptibly.
    Effect.onInterrupt(() =>
      Effect.flatMap(Effect.service(Log), (log) => Effect.sync(() => log.info("worker stopped"))),
    ),
    Effect.scoped,
  )
