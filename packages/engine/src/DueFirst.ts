/**
 * A command meets its machine as time has left it: whatever fell due there by the command's
 * time — a deadline, a reminder, a phase's close that no worker has reached yet — is applied
 * first, in the command's own transaction and in time order. So a report after the deadline
 * is late however far behind the workers are, and a machine's journal never goes back in time.
 */
import type { Database, MachineRow } from "@liandong/store"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import { query } from "./Db.ts"
import type { LoadedCampaign } from "./Definitions.ts"
import { applyItem, type QueueItem } from "./QueueItem.ts"
import { underSavepoint } from "./Savepoint.ts"
import { lockMachine, lockMachineById, notBefore } from "./Step.ts"
import { lockPendingMessage, lockPendingTimer, nextDueOfMachine } from "./sql/claims.ts"

/**
 * Applies up to `limit` of the machine's items due by `at`, oldest first; the machine row as
 * they left it, and how many were applied or moot. Each item runs under a savepoint unless
 * `isolate` is false: then a failing item fails the caller's transaction.
 */
export const applyDue = (
  tx: Transaction<Database>,
  loaded: LoadedCampaign,
  row: MachineRow,
  at: Date,
  limit = Number.POSITIVE_INFINITY,
  isolate = true,
) =>
  Effect.gen(function* () {
    // An item that fails here is not the command's fault: it is left to the worker, which
    // records the failure and retries it with backoff (and parks it if it keeps failing).
    const skip = { timers: [] as string[], messages: [] as string[] }
    const done = { applied: 0, moot: 0 }
    let machine = row
    while (done.applied + done.moot < limit) {
      const due = yield* query("queue.dueOfMachine", () => nextDueOfMachine(tx, machine.id, at, skip), tx)
      if (due === undefined) break
      // A worker may hold the item for a moment: it gives up when it finds the machine taken.
      const item: QueueItem | undefined =
        due.kind === "timer"
          ? yield* query("queue.lockTimer", () => lockPendingTimer(tx, due.id), tx).pipe(
              Effect.map((timer) => (timer === undefined ? undefined : { kind: "timer" as const, row: timer })),
            )
          : yield* query("queue.lockMessage", () => lockPendingMessage(tx, due.id), tx).pipe(
              Effect.map((message) => (message === undefined ? undefined : { kind: "message" as const, row: message })),
            )
      if (item === undefined) continue
      const applied = isolate
        ? yield* underSavepoint(tx, "due_item", applyItem(tx, loaded, machine, item, at))
        : { ok: true as const, value: yield* applyItem(tx, loaded, machine, item, at) }
      if (applied.ok) done[applied.value]++
      else (item.kind === "timer" ? skip.timers : skip.messages).push(item.row.id)
      machine = yield* lockMachineById(tx, machine.id)
    }
    return { machine, ...done }
  })

/**
 * Locks the machine a command acts on (a unit's, or the campaign's when `unit` is null),
 * applies what fell due there by the command's time `at`, and returns the row with the time
 * the command's event takes: `at`, or the machine's last event's time if that is later.
 */
export const lockForCommand = (tx: Transaction<Database>, loaded: LoadedCampaign, unit: string | null, at: string) =>
  Effect.gen(function* () {
    const locked = yield* lockMachine(tx, loaded.row.id, unit)
    const { machine: row } = yield* applyDue(tx, loaded, locked, new Date(at))
    return { row, at: notBefore(row, new Date(at)).toISOString() }
  })
