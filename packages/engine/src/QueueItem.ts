/**
 * Applying one queued timer or message to its machine and marking it done, or moot when the
 * machine no longer accepts it, in the caller's transaction: the worker's work, and what a
 * command does first with anything already due on its machine (DueFirst.ts).
 */
import type { Database, MachineRow, MessageRow, TimerRow } from "@liandong/store"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import { system } from "./Actor.ts"
import { query } from "./Db.ts"
import type { LoadedCampaign } from "./Definitions.ts"
import type { InvalidTransition } from "./Errors.ts"
import { applyToMachine } from "./Step.ts"
import { completeMessage, completeTimer } from "./sql/claims.ts"

/** A timer or message taken from the queue. */
export type QueueItem =
  | { readonly kind: "timer"; readonly row: TimerRow }
  | { readonly kind: "message"; readonly row: MessageRow }

/** The event a queued item carries. */
export const eventOf = (item: QueueItem) => item.row.event as { type: string; at: string }

/** Marks an item done or moot (with the reason) as of `now`. */
export const completeItem = (
  tx: Transaction<Database>,
  item: QueueItem,
  status: "done" | "moot",
  note: string | null,
  now: Date,
) =>
  query(
    "queue.complete",
    () => (item.kind === "timer" ? completeTimer : completeMessage)(tx, item.row.id, status, now, note),
    tx,
  )

/**
 * Applies an event item to its locked machine, leaving the item to be marked by the caller:
 * `applied`, or `moot` with the reason when the machine has moved on; and the machines the
 * step sent messages to.
 */
export const applyItemEvent = (
  tx: Transaction<Database>,
  loaded: LoadedCampaign,
  machine: MachineRow,
  item: QueueItem,
) =>
  applyToMachine(tx, loaded, machine, eventOf(item), { actor: system, cause: `${item.kind}:${item.row.id}` }).pipe(
    Effect.map((step) => ({ outcome: "applied" as const, note: null, sentTo: step.sentTo })),
    // The machine moved on (e.g. a reminder for a task already reported): recorded, not an error.
    Effect.catchTag("InvalidTransition", (rejected: InvalidTransition) =>
      Effect.succeed({ outcome: "moot" as const, note: rejected.en as string | null, sentTo: new Set<string>() }),
    ),
  )

/** Applies an event item to its locked machine and marks it; `moot` when the machine has moved on. */
export const applyItem = (
  tx: Transaction<Database>,
  loaded: LoadedCampaign,
  machine: MachineRow,
  item: QueueItem,
  now: Date,
) =>
  Effect.flatMap(applyItemEvent(tx, loaded, machine, item), ({ outcome, note }) =>
    Effect.as(completeItem(tx, item, outcome === "applied" ? "done" : "moot", note, now), outcome),
  )
