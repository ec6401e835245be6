/**
 * A queued timer or message, and marking it: done when applied, moot (with the reason)
 * when its machine no longer accepts it — in the transaction that applied it.
 */
import type { MachineEvent } from "@liandong/workflow"
import { Effect } from "effect"
import { query, queryBesideSteps, type Tx } from "./Db.ts"
import { completeMany, completeMessage, completeTimer, type QueueItem } from "./sql/Queue.ts"

export type { QueueItem } from "./sql/Queue.ts"

/** The event a queued item carries (a summary job's is `summary.write`, read only for its time). */
export const eventOf = (item: QueueItem) => item.row.event as MachineEvent

/** True for the job that writes the campaign's summary. */
export const isSummaryJob = (item: QueueItem) => item.kind === "message" && item.row.kind === "summary"

/** How an applied item is marked. */
export interface Completion {
  readonly id: string
  readonly status: "done" | "moot"
  readonly note: string | null
}

/** Marks one item done or moot (with the reason) as of `now`. */
export const completeItem = (tx: Tx, item: QueueItem, completion: Completion, now: Date) =>
  query(
    "queue.complete",
    (db) =>
      (item.kind === "timer" ? completeTimer : completeMessage)(
        db,
        item.row.id,
        completion.status,
        now,
        completion.note,
      ),
    tx,
  )

/**
 * Marks items done or moot as of `now`: with the transaction's deferred steps, in their statement;
 * otherwise one statement per queue.
 */
export const completeItems = (
  tx: Tx,
  completions: { readonly timers: ReadonlyArray<Completion>; readonly messages: ReadonlyArray<Completion> },
  now: Date,
) =>
  Effect.gen(function* () {
    if (tx.steps.defer) {
      const at = now.toISOString()
      const { completed } = tx.steps.rows
      for (const c of completions.timers) completed.timers.push({ ...c, at })
      for (const c of completions.messages) completed.messages.push({ ...c, at })
      return
    }
    // Beside the batch's pending steps: they write other timers and messages than the claimed ones,
    // but for a step cancelling its own claimed timer, which then stays done as it would after them.
    if (completions.timers.length > 0)
      yield* queryBesideSteps("queue.completeTimers", (db) => completeMany(db, "timers", completions.timers, now), tx)
    if (completions.messages.length > 0)
      yield* queryBesideSteps(
        "queue.completeMessages",
        (db) => completeMany(db, "messages", completions.messages, now),
        tx,
      )
  })
