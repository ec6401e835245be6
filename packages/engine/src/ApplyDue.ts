/**
 * The one way events reach machines: `applyDue` applies a batch of due items — claimed
 * timers and messages, or a command's event — to their locked machines in the caller's
 * transaction. The worker's passes and every command go through it.
 *
 * - Items are applied in time order per machine: behind a message, the messages queued on
 *   its machine are drained in the same transaction (a campaign machine hears from every
 *   unit at a phase's end), up to the earliest pending timer.
 * - A command meets its machine as time has left it: whatever fell due there by the
 *   command's time and no worker has reached yet is applied first, so a report after the
 *   deadline is late however far behind the workers are.
 * - `isolated` runs each claimed item under a savepoint and records a failure on the item
 *   while it is still locked; `batched` takes no savepoints (a subtransaction updating a row
 *   its parent locked turns the lock into a multixact, which at scale made every claim
 *   slow), so one failure fails the batch and the worker goes on one item at a time.
 */
import type { CampaignRow, MachineRow } from "@liandong/store"
import type { MachineEvent } from "@liandong/workflow"
import { Effect } from "effect"
import { system } from "./Actor.ts"
import { query, type Tx } from "./Db.ts"
import { campaignFromRow, type LoadedCampaign, loadCampaign } from "./Definitions.ts"
import { CampaignChanged, type InvalidTransition, NotFound } from "./Errors.ts"
import { sentToCampaign } from "./FanIn.ts"
import { type Completion, completeItem, completeItems, eventOf, isSummaryJob, type QueueItem } from "./QueueItem.ts"
import { describeCause, underSavepoint } from "./Savepoint.ts"
import { applyToMachine, type Cause, notBefore, type StepResult } from "./Step.ts"
import {
  type DueItem,
  lockMachineById,
  lockMachineWithDue,
  type ReportSlot,
  tryLockMachine,
  tryLockMachines,
} from "./sql/Machines.ts"
import {
  backlogged,
  type ClaimedBatch,
  lockBacklogs,
  lockNextDueOfMachine,
  lockPendingMessage,
  lockPendingTimer,
  nextDueAt,
} from "./sql/Queue.ts"
import { noteFailure, recordFailureIn } from "./worker/DeadLetter.ts"
import { writeSummary } from "./worker/Summary.ts"

/** A command's idempotency key was claimed before (found when its machine was locked): it replays. */
class KeyTaken extends Error {
  constructor() {
    super("idempotency key already claimed")
  }
}

/** A command's event, applied to its machine once the machine has caught up with the command's time. */
export interface CommandDue<A, E, R> {
  readonly kind: "command"
  readonly loaded: LoadedCampaign
  /** whose machine: a unit's, or the campaign's when null */
  readonly unit: string | null
  /** the command's time on the campaign clock */
  readonly at: string
  /**
   * The command's own work on its locked, caught-up machine, given the time its event takes
   * (the command's, or the machine's last event's when later): the event, why, and what the
   * command answers. `report`: the place of the report it submits, when its lock took one.
   */
  readonly prepare: (
    machine: MachineRow,
    at: string,
    report: ReportSlot | undefined,
  ) => Effect.Effect<Prepared<A>, E, R>
}

/** What a command applies and answers. */
export interface Prepared<A> {
  readonly event: MachineEvent
  readonly cause: Cause
  readonly answer: A
}

/** Something due on a machine: a claimed timer or message, or a command's event. */
export type Due<A = never, E = never, R = never> = QueueItem | CommandDue<A, E, R>

/** What became of one due item. */
export type Outcome<A> =
  | "applied"
  | "moot"
  | "summary"
  | "failed"
  /** its machine is in a command's hands: the command applies it if it is due by its time */
  | "busy"
  /** a message an earlier item of the batch sent to its machine comes first */
  | "waiting"
  /** a command's event, applied */
  | { readonly answer: A; readonly step: StepResult }

/** How a batch is applied. */
export interface ApplyOptions {
  /** the pass's time: claimed items are marked at it, and backlogs drained up to it */
  readonly now: Date
  /** `isolated`: each claimed item under a savepoint, its failure recorded; `batched`: no savepoints */
  readonly mode: "isolated" | "batched"
  /** most items of one machine in the batch: behind a message, up to this many less one (default 1: none) */
  readonly perMachine?: number
  /** attempts before a failing item is parked as dead (`isolated`; default 5) */
  readonly maxAttempts?: number
  /**
   * Batched: the items' machines (and the backlogs behind their messages) as the statement that
   * claimed the items locked them (`claimBatch`), instead of statements of their own.
   */
  readonly claimed?: Pick<ClaimedBatch, "machines" | "campaigns" | "backlog">
}

/** What a batch did: an outcome per item, in order, and what was drained behind its messages. */
export interface Applied<A> {
  readonly outcomes: ReadonlyArray<Outcome<A>>
  readonly backlog: { readonly applied: number; readonly moot: number }
}

/**
 * Campaigns loaded once in a batch, however many of its items they have: from the rows its
 * machines' lock read (`read`), else by a statement of their own.
 */
const campaignsOf = (tx: Tx) => {
  const loaded = new Map<string, LoadedCampaign>()
  const read = new Map<string, { readonly row: CampaignRow; readonly hash: string }>()
  const load = (campaignId: string) => {
    const hit = loaded.get(campaignId)
    if (hit !== undefined) return Effect.succeed(hit)
    const row = read.get(campaignId)
    const loading = row === undefined ? loadCampaign(campaignId, tx) : campaignFromRow(row.row, row.hash, tx)
    return Effect.tap(loading, (campaign) => Effect.sync(() => loaded.set(campaignId, campaign)))
  }
  return Object.assign(load, { read })
}

type Campaigns = ReturnType<typeof campaignsOf>

/** Applies a queued item's event; `moot`, with the reason, when the machine has moved on (not an error). */
const applyQueued = (tx: Tx, loaded: LoadedCampaign, machine: MachineRow, item: QueueItem) =>
  applyToMachine(tx, loaded, machine, eventOf(item), { actor: system, cause: `${item.kind}:${item.row.id}` }).pipe(
    Effect.map((done) => ({
      status: "done" as const,
      note: null as string | null,
      sentTo: done.sentTo,
      row: done.row,
    })),
    Effect.catchTag("InvalidTransition", (rejected: InvalidTransition) =>
      Effect.succeed({
        status: "moot" as const,
        note: rejected.en as string | null,
        sentTo: [] as ReadonlyArray<string | null>,
        row: machine,
      }),
    ),
  )

/** Locks an item a machine's lock found due, or says that its holder has done it meanwhile (`taken`). */
const lockFound = (tx: Tx, due: DueItem) =>
  due.kind === "timer"
    ? Effect.map(
        query("queue.lockTimer", (db) => lockPendingTimer(db, due.id), tx),
        (timer) => (timer === undefined ? ("taken" as const) : ({ kind: "timer", row: timer } satisfies QueueItem)),
      )
    : Effect.map(
        query("queue.lockMessage", (db) => lockPendingMessage(db, due.id), tx),
        (message) =>
          message === undefined ? ("taken" as const) : ({ kind: "message", row: message } satisfies QueueItem),
      )

/**
 * Applies up to `limit` of a locked machine's items due by `horizon`, oldest first, each
 * marked at `horizon` and under a savepoint (a failing item is skipped and left to the worker,
 * which records it; it is not the caller's fault); the machine row as they left it.
 */
const drainMachine = (
  tx: Tx,
  loaded: LoadedCampaign,
  row: MachineRow,
  horizon: Date,
  limit: number,
  found?: { readonly due: DueItem | undefined },
) =>
  Effect.gen(function* () {
    const skip = { timers: [] as string[], messages: [] as string[] }
    const done = { applied: 0, moot: 0 }
    let machine = row
    // What the caller's lock found due, for the first look.
    let known = found
    while (done.applied + done.moot < limit) {
      // What the caller's lock found is locked now; otherwise the next item is found and locked at once.
      const first = known?.due
      const item: QueueItem | "taken" | undefined =
        known === undefined
          ? yield* query("queue.lockNextOfMachine", (db) => lockNextDueOfMachine(db, machine.id, horizon, skip), tx)
          : first === undefined
            ? undefined
            : yield* lockFound(tx, first)
      known = undefined
      if (item === undefined) break
      // A worker held the item for a moment and has done it meanwhile: look again.
      if (item === "taken") continue
      const attempt = yield* underSavepoint(
        tx,
        "due_item",
        Effect.tap(applyQueued(tx, loaded, machine, item), (applied) =>
          completeItem(tx, item, { id: item.row.id, status: applied.status, note: applied.note }, horizon),
        ),
      )
      // Done, moot, or failed and rolled back to its savepoint: the next looks pass it by.
      ;(item.kind === "timer" ? skip.timers : skip.messages).push(item.row.id)
      // The machine as the item left it (unchanged when moot, or rolled back to its savepoint).
      if (attempt.ok) {
        done[attempt.value.status === "done" ? "applied" : "moot"]++
        machine = attempt.value.row
      }
    }
    return { machine, ...done }
  })

/** How far a backlog may be drained: to `now`, but before every pending timer (the batch may have set new ones). */
const backlogHorizon = (tx: Tx, now: Date) =>
  Effect.map(query("queue.nextDue", nextDueAt, tx), (next) =>
    next?.due_at ? new Date(Math.min(now.getTime(), new Date(next.due_at).getTime() - 1)) : now,
  )

/**
 * Behind the messages applied, the messages queued on their machines, up to `limit` a
 * machine: one claim per message would make a phase's fan-in cost one transaction (and one
 * scan of the queue) each. Only messages sent before every pending timer are taken, so none
 * overtakes what a timer causes.
 */
const drainBacklogs = (tx: Tx, messages: ReadonlyArray<QueueItem>, now: Date, limit: number, load: Campaigns) =>
  Effect.gen(function* () {
    const total = { applied: 0, moot: 0 }
    const horizon = yield* backlogHorizon(tx, now)
    const ids = messages.flatMap((item) => (item.row.machine_id === null ? [] : [item.row.machine_id]))
    const behind = yield* query("queue.backlogged", (db) => backlogged(db, ids, horizon), tx)
    for (const machineId of behind) {
      const item = messages.find((candidate) => candidate.row.machine_id === machineId)
      if (item === undefined) continue
      const loaded = yield* load(item.row.campaign_id)
      const machine = yield* query("machine.lockById", (db) => lockMachineById(db, machineId), tx)
      const more = yield* drainMachine(tx, loaded, machine, horizon, limit)
      total.applied += more.applied
      total.moot += more.moot
    }
    return total
  })

/**
 * `drainBacklogs` for a batch that holds its machines (`held`, each row as the batch's steps
 * left it): every machine's backlog taken in one look, then applied oldest first, and marked
 * together after the last. A machine's consecutive steps are written as one where they can be
 * (`saveStep`). A step that sets a timer on its machine due by the horizon ends that machine's
 * drain: what the timer causes may come before the rest, which later claims take in order.
 */
const drainBacklogsTogether = (
  tx: Tx,
  messages: ReadonlyArray<QueueItem>,
  held: Map<string, MachineRow>,
  now: Date,
  limit: number,
  load: Campaigns,
  prefetched: ((ids: ReadonlyArray<string>) => ClaimedBatch["backlog"] | undefined) | undefined,
) =>
  Effect.gen(function* () {
    const total = { applied: 0, moot: 0 }
    // Applied messages are those of held machines (one a command holds is `busy`, never applied).
    const ids = [...new Set(messages.map((item) => item.row.machine_id as string))]
    const { items, horizon } =
      prefetched?.(ids) ?? (yield* query("queue.lockBacklogs", (db) => lockBacklogs(db, ids, now, limit), tx))
    if (horizon === undefined) return total
    const marks = { timers: [] as Completion[], messages: [] as Completion[] }
    // Machines whose drain a timer due by the horizon ended.
    const ended = new Set<string>()
    for (const item of items) {
      const machineId = item.row.machine_id as string
      const machine = held.get(machineId)
      if (machine === undefined || ended.has(machineId)) continue
      const loaded = yield* load(item.row.campaign_id)
      const pending = tx.steps.rows
      const before = pending.scheduled.length
      const applied = yield* applyQueued(tx, loaded, machine, item)
      marks.messages.push({ id: item.row.id, status: applied.status, note: applied.note })
      total[applied.status === "done" ? "applied" : "moot"]++
      held.set(machineId, applied.row)
      // The step's timers: those added since, or all pending ones if the step wrote the steps before it.
      const scheduled = tx.steps.rows === pending ? pending.scheduled.slice(before) : tx.steps.rows.scheduled
      if (scheduled.some((t) => t.machine_id === machineId && new Date(t.due_at).getTime() <= horizon.getTime()))
        ended.add(machineId)
    }
    yield* completeItems(tx, marks, horizon)
    return total
  })

/**
 * Locks a command's machine (waiting for it: a worker lets go of a machine it finds taken), or
 * takes it as its batch locked it, checks that the campaign still pins the definition the
 * command decided on, applies what fell due there by the command's time, then the command's
 * own work and event.
 */
const commandStep = <A, E, R>(tx: Tx, command: CommandDue<A, E, R>) =>
  Effect.gen(function* () {
    const { loaded, unit } = command
    // Locked with a first look for what is due on it (and the command's key claimed) in one statement.
    const claim = tx.claim
    tx.claim = undefined
    // Or locked already with the other commands of its batch, its key claimed there.
    const together = tx.locked
    tx.locked = undefined
    const {
      claimed,
      pinned,
      machine: lock,
    } = together ??
    (yield* query(
      "machine.lockWithDue",
      (db) => lockMachineWithDue(db, loaded.row.id, unit, new Date(command.at), claim),
      tx,
    ))
    // The command decided on a copy of the campaign loaded before its transaction: if the campaign
    // has been changed since, it runs again on a fresh copy (its claim undone with this attempt).
    if (pinned !== String(loaded.row.definition_id)) return yield* new CampaignChanged({ campaign: loaded.row.id })
    if (claim !== undefined) {
      claim.claimed = claimed === true
      // Used before: the group commit replays its answer instead.
      if (!claim.claimed) return yield* Effect.die(new KeyTaken())
    }
    if (lock === undefined)
      return yield* new NotFound({ what: unit === null ? "campaign" : "unit", ref: unit ?? loaded.row.id })
    const locked = lock.row
    // The event takes the machine's time when that is later than the command's: what fell due by
    // then is applied first too, or a report stamped after its deadline would count as on time.
    const at = notBefore(locked, new Date(command.at))
    // The first look is taken as it stands unless the row changed while the lock was awaited.
    const { machine } = yield* drainMachine(
      tx,
      loaded,
      locked,
      at,
      Number.POSITIVE_INFINITY,
      lock.fresh ? { due: lock.due } : undefined,
    )
    const prepared = yield* command.prepare(machine, notBefore(machine, at).toISOString(), together?.report)
    const done = yield* applyToMachine(tx, loaded, machine, prepared.event, prepared.cause)
    if (done.sentTo.includes(null)) sentToCampaign(tx, loaded)
    return { answer: prepared.answer, step: done } satisfies Outcome<A>
  })

/**
 * Applies one claimed item to its machine: taken from `held` (batched) or locked now unless
 * a command holds it (isolated). Says what became of it and how to mark it.
 */
const applyClaimed = (
  tx: Tx,
  item: QueueItem,
  held: ReadonlyMap<string, MachineRow> | undefined,
  campaigns: Campaigns,
) =>
  Effect.gen(function* () {
    const machineId = item.row.machine_id
    // A message for no machine (its unit is unknown) is a defect: it fails, and is parked.
    if (machineId === null) return yield* Effect.die(new Error(`${item.kind} ${item.row.id} has no machine`))
    const machine =
      held === undefined
        ? yield* query("machine.tryLock", (db) => tryLockMachine(db, machineId), tx)
        : held.get(machineId)
    // A command holds the machine: it applies this item itself if it is due by the command's time.
    if (machine === undefined) return { outcome: "busy" as const }
    const loaded = yield* campaigns(item.row.campaign_id)
    if (isSummaryJob(item)) {
      // A summary that cannot be rendered fails its item, recorded and retried like any other.
      const written = yield* writeSummary(tx, loaded, eventOf(item).at).pipe(
        Effect.catchTag("SummaryNotRendered", (error) => Effect.die(error)),
      )
      yield* applyToMachine(tx, loaded, machine, written.event, written.cause)
      return { outcome: "summary" as const, completion: { id: item.row.id, status: "done" as const, note: null } }
    }
    const applied = yield* applyQueued(tx, loaded, machine, item)
    return {
      outcome: applied.status === "done" ? ("applied" as const) : ("moot" as const),
      completion: { id: item.row.id, status: applied.status, note: applied.note },
      sentTo: applied.sentTo,
      row: applied.row,
    }
  })

/**
 * The backlog the claim took (`claimBatch`), for the machines `ids`, as a look after the batch's
 * steps would find it — or `undefined` when only that look can tell: a step was written already,
 * or sent a message to one of these machines (it joins their backlog). Its horizon is brought
 * before the timers the steps set.
 */
const prefetchedBacklog =
  (tx: Tx, backlog: ClaimedBatch["backlog"], heldByUnit: ReadonlyMap<string, string>, flushed: number) =>
  (ids: ReadonlyArray<string>): ClaimedBatch["backlog"] | undefined => {
    const rows = tx.steps.rows
    if (tx.steps.written !== flushed) return undefined
    const draining = new Set(ids)
    for (const message of rows.sent) {
      const to = heldByUnit.get(`${message.campaign_id}\u0000${message.unit ?? ""}`)
      if (to !== undefined && draining.has(to)) return undefined
    }
    if (backlog.horizon === undefined) return backlog
    let horizon = backlog.horizon.getTime()
    for (const timer of rows.scheduled) horizon = Math.min(horizon, Date.parse(timer.due_at) - 1)
    const order = new Map(ids.map((id, n) => [id, n]))
    const items = backlog.items
      .filter(
        (item) =>
          item.kind === "message" &&
          order.has(item.row.machine_id as string) &&
          new Date(item.row.available_at).getTime() <= horizon,
      )
      .sort(
        (a, b) => (order.get(a.row.machine_id as string) as number) - (order.get(b.row.machine_id as string) as number),
      )
    return { items, horizon: items.length === 0 ? undefined : new Date(horizon) }
  }

/**
 * Applies a batch of due items to their machines in `tx`, in order: a command's event after
 * whatever fell due on its machine by its time; claimed timers and messages, each marked
 * done or moot at `now` (a failure recorded on the item in `isolated` mode, failing the
 * batch in `batched` mode); then, behind each message, its machine's backlog.
 */
export const applyDue = <A = never, E = never, R = never>(
  tx: Tx,
  due: ReadonlyArray<Due<A, E, R>>,
  options: ApplyOptions,
) =>
  Effect.gen(function* () {
    const { now, mode } = options
    const campaigns = campaignsOf(tx)
    // Steps written so far: a backlog taken with the claim stands only if none was written since.
    const flushed = tx.steps.written
    const claimed = due.filter((item): item is QueueItem => item.kind !== "command")
    // Batched: every claimed item's machine at once, in id order, but those a command holds.
    const ids = [...new Set(claimed.flatMap((item) => (item.row.machine_id === null ? [] : [item.row.machine_id])))]
    let held: Map<string, MachineRow> | undefined
    if (mode === "batched") {
      const locked =
        options.claimed ??
        (ids.length === 0 ? undefined : yield* query("machine.tryLockMany", (db) => tryLockMachines(db, ids), tx))
      held = new Map(locked?.machines.map((row) => [row.id, row]))
      for (const [id, campaign] of locked?.campaigns ?? []) campaigns.read.set(id, campaign)
    }
    // Batched, the steps are written together, before the batch's next statement of any kind.
    if (held !== undefined) tx.steps.defer = true
    // The batch's machines by campaign and unit (the campaign's own: no unit), for the messages it sends.
    const heldByUnit = new Map<string, string>()
    for (const row of held?.values() ?? []) heldByUnit.set(`${row.campaign_id}\u0000${row.unit_key ?? ""}`, row.id)
    const outcomes: Outcome<A>[] = []
    const completions = { timers: [] as Completion[], messages: [] as Completion[] }
    const applied: QueueItem[] = []
    // Machines of this batch an earlier item sent a message to: that message comes first.
    const heard = new Set<string>()
    for (const item of due) {
      if (item.kind === "command") {
        outcomes.push(yield* commandStep(tx, item))
        continue
      }
      if (item.row.machine_id !== null && heard.has(item.row.machine_id)) {
        outcomes.push("waiting")
        continue
      }
      const attempt = applyClaimed(tx, item, held, campaigns)
      const tried =
        held !== undefined
          ? { ok: true as const, value: yield* attempt }
          : yield* underSavepoint(tx, "queue_item", attempt)
      if (!tried.ok) {
        // Recorded in the same transaction, while the item is still locked: no other worker
        // can try it again before its backoff is on the record.
        outcomes.push(
          yield* noteFailure(item, describeCause(tried.cause), (at, reason) =>
            recordFailureIn(tx, item, reason, at, options.maxAttempts ?? 5),
          ),
        )
        continue
      }
      const result = tried.value
      outcomes.push(result.outcome)
      if (result.outcome === "busy") continue
      ;(item.kind === "timer" ? completions.timers : completions.messages).push(result.completion)
      if ("sentTo" in result && result.sentTo !== undefined) {
        for (const unit of result.sentTo) {
          const id = heldByUnit.get(`${item.row.campaign_id}\u0000${unit ?? ""}`)
          if (id !== undefined) heard.add(id)
        }
        if (item.kind === "message") applied.push(item)
        held?.set(result.row.id, result.row)
      }
    }
    yield* completeItems(tx, completions, now)
    const limit = (options.perMachine ?? 1) - 1
    if (limit < 1 || applied.length === 0) return { outcomes, backlog: { applied: 0, moot: 0 } } satisfies Applied<A>
    const prefetched =
      options.claimed === undefined ? undefined : prefetchedBacklog(tx, options.claimed.backlog, heldByUnit, flushed)
    const drain =
      held === undefined
        ? drainBacklogs(tx, applied, now, limit, campaigns)
        : drainBacklogsTogether(tx, applied, held, now, limit, campaigns, prefetched)
    // Isolated, a backlog that fails is left to later claims, never charged to the item before it.
    const backlog =
      mode === "batched"
        ? yield* drain
        : yield* Effect.map(underSavepoint(tx, "backlog", drain), (attempt) =>
            attempt.ok ? attempt.value : { applied: 0, moot: 0 },
          )
    return { outcomes, backlog } satisfies Applied<A>
  })
