/**
 * A failed attempt at a queue item, recorded: retried later with exponential backoff, or —
 * after the last attempt — parked as dead with a journal row saying what was given up and why,
 * in the same transaction. Nothing is dropped silently: a dead item is on the record, in the
 * campaign's hash chain, for auditors and operators to see.
 */
import { Effect } from "effect"
import { system } from "../Actor.ts"
import { Clock } from "../Clock.ts"
import { query, type Tx } from "../Db.ts"
import { appendJournal, journaled } from "../Journal.ts"
import { Log } from "../Log.ts"
import { eventOf, type QueueItem } from "../QueueItem.ts"
import { campaignMachine, machineById } from "../sql/Machines.ts"
import { failQueueItem } from "../sql/Queue.ts"

/** When a failed item is tried again: 1 s, 2 s, 4 s … after `now`, at most a minute. */
export const retryAt = (now: Date, attempts: number): Date =>
  new Date(now.getTime() + Math.min(60_000, 500 * 2 ** attempts))

/**
 * Records a failed attempt at `item` in `tx`; parks it (and journals that) at `maxAttempts`.
 * Counts only if the item is still at the attempt it was claimed at, so two workers that
 * both tried it count once. Returns the status it is left in (nothing if no longer pending).
 */
export const recordFailureIn = (tx: Tx, item: QueueItem, reason: string, now: Date, maxAttempts: number) =>
  Effect.gen(function* () {
    const table = item.kind === "timer" ? "timers" : "messages"
    const left = yield* query(
      "queue.fail",
      (db) =>
        failQueueItem(
          db,
          table,
          item.row.id,
          item.row.attempts,
          reason,
          retryAt(now, item.row.attempts + 1),
          maxAttempts,
        ),
      tx,
    )
    if (left?.status !== "dead") return left?.status
    // A message may have no machine (its unit was unknown): the row goes on the campaign's.
    const { machine_id: machineId, campaign_id: campaignId } = item.row
    const machine = yield* query(
      "queue.deadMachine",
      (db) =>
        machineId === null
          ? campaignMachine(db, campaignId).then((row) => {
              if (row === undefined) throw new Error(`campaign ${campaignId} has no machine`)
              return row
            })
          : machineById(db, machineId),
      tx,
    )
    const event = eventOf(item)
    yield* appendJournal(tx, {
      campaignId,
      machineId: machine.id,
      unit: machine.unit_key,
      actor: system,
      cause: `${item.kind}:${item.row.id}`,
      idempotencyKey: null,
      event: {
        type: "queue.dead",
        item: item.kind,
        id: item.row.id,
        event: event.type,
        attempts: left.attempts,
        reason,
        zh: `“${event.type}”事件处理 ${left.attempts} 次均失败,已停止重试,待人工处理`,
        en: `"${event.type}" failed ${left.attempts} times and is no longer retried; it needs an operator`,
      },
      before: null,
      after: null,
      occurredAt: now,
    })
    return left.status
  })

/** Records a failed attempt at `item` in a transaction of its own (see `recordFailureIn`). */
export const recordFailure = (item: QueueItem, reason: string, now: Date, maxAttempts: number) =>
  journaled("queue.fail", (tx) => recordFailureIn(tx, item, reason, now, maxAttempts))

/** Logs a failed attempt and records it with `record`, its backoff counted from now; `"failed"`. */
export const noteFailure = <E, R>(
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
