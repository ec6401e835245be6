/**
 * Group commit for commands: commands that arrive while a transaction of commands runs
 * queue, and when it commits the queue (up to `batchLimit`) becomes the next batch — one
 * transaction, one journal append, one commit. A lone command goes at once.
 *
 * - A command's failure rolls back only its own writes and answers it with that failure;
 *   the others go on. The batch first runs without savepoints; if a command fails there, it
 *   is rolled back and run again with each command under its own savepoint.
 * - Nobody is answered before the commit: an answer means durable. A failed commit (or a
 *   lost connection) answers every command of the batch with that failure.
 * - Idempotency keys are claimed in the batch and their answers stored in the same
 *   transaction, by the journal append's statement (an answer carries its journal position,
 *   which only the append knows). A second command with a key already in the batch waits
 *   for the next one, so it replays.
 * - A unit's finished phase, sent to the campaign's machine, is counted there before the
 *   commit when that machine is free (`FanIn.ts`), instead of by a worker's pass. So that it
 *   is free, one batch at a time counts to a campaign: the next approvals wait for it.
 * - Within a batch commands run in the order of their machines (campaign, then unit;
 *   arrival order for one machine), so two batches take machine locks in one order. A
 *   serialization failure or deadlock retries the whole batch (`transaction`): nothing of
 *   it was committed, so nothing is applied twice.
 */
import { canonicalJson, sha256Hex } from "@liandong/workflow"
import { Cause, Deferred, Effect, Exit } from "effect"
import type { Actor } from "./Actor.ts"
import { Db, type KeyClaim, query, queryBesideSteps, stepsPending, type Tx, transaction } from "./Db.ts"
import { IdempotencyConflict, StoreError } from "./Errors.ts"
import { applyFanIn, lockedForFanIn } from "./FanIn.ts"
import { flushJournal } from "./Journal.ts"
import { pendingRows } from "./JournalBuffer.ts"
import { type Attempt, underSavepoint } from "./Savepoint.ts"
import { type AnswerAtHead, journalHead } from "./sql/Journal.ts"
import { type LockAsked, type LockedMachine, lockMachinesWithDue } from "./sql/Machines.ts"
import { claimKey, storedResult, storeResults } from "./sql/Requests.ts"

/** The most commands one transaction takes. */
export const batchLimit = 64

/**
 * Batches in flight at once: while one commits (its journal append and WAL flush), the next
 * does its commands' work on another connection, as separate commands did before.
 */
export const runners = 2

/** A command to run in a group commit. */
export interface GroupedCommand<A, E, R> {
  /** where its machine lies: commands of a batch run in this order (campaign, then unit) */
  readonly order: string
  readonly campaignId: string
  readonly actor: Actor
  readonly idempotencyKey: string | null | undefined
  /** what was asked, hashed with the key */
  readonly request: unknown
  /**
   * Its work begins by locking its machine through `applyCommand`: the key is claimed in that
   * statement rather than one of its own.
   */
  readonly claimsWithLock?: boolean
  /**
   * The unit whose machine its work locks first, and the command's time: in a batch the
   * machines of such commands are locked together, in one statement (`lockMachinesWithDue`).
   */
  readonly locks?: {
    readonly unit: string
    readonly at: string
    /** the task whose next report it submits: the report's place is taken with the lock */
    readonly reportOf?: string
    /**
     * the key of the count its step may send to the campaign's machine (an approval may finish
     * the unit's phase): that machine is locked for the fan-in with the batch's (`FanIn.ts`)
     */
    readonly countsTo?: string
  }
  /** the command's work in the batch's transaction; its answer, given its journal position */
  readonly run: (tx: Tx) => Effect.Effect<(journal: number) => A, E, R>
}

/** What a command answers: its result, and whether it was a replay of its key. */
export interface Answer<A> {
  readonly result: A
  readonly replayed: boolean
}

interface Entry {
  readonly command: GroupedCommand<unknown, unknown, never>
  readonly key: string | null
  /** the hash of its request, when it has an idempotency key */
  readonly requestHash: string | null
  readonly deferred: Deferred.Deferred<Answer<unknown>, unknown>
}

interface Committer {
  queue: Entry[]
  /** transactions of batches in flight */
  running: number
  /**
   * Campaigns a batch in flight counts to (an approval may finish its unit's phase): their
   * next counting commands wait for it rather than run beside it (`takeBatch`).
   */
  readonly counting: Set<string>
}

// One committer per database handle: the pool's batches go one after another.
const committers = new WeakMap<object, Committer>()

const committerOf = (handle: object) => {
  const found = committers.get(handle)
  if (found !== undefined) return found
  const made: Committer = { queue: [], running: 0, counting: new Set() }
  committers.set(handle, made)
  return made
}

/** Commands waiting for a batch on this database handle (for tests and metrics). */
export const queuedCommands = (handle: object): number => committers.get(handle)?.queue.length ?? 0

/** Whether a command's step may send a count to its campaign's machine (an approval). */
const counts = (entry: Entry) => entry.command.locks?.countsTo !== undefined

/**
 * The next batch: up to `batchLimit`, one use of a key each, in machine order. A command that
 * counts to a campaign a batch in flight counts to waits for the next: two such batches at once
 * would contend for the campaign's machine, and the second, finding it held, would leave its
 * counts to a worker's pass (`FanIn.ts`). Waiting, it joins the others that arrived meanwhile.
 * May be empty when every queued command waits so: the batch in flight takes them after it.
 */
const takeBatch = (committer: Committer) => {
  const batch: Entry[] = []
  const rest: Entry[] = []
  const keys = new Set<string>()
  for (const entry of committer.queue) {
    const waits = counts(entry) && committer.counting.has(entry.command.campaignId)
    if (!waits && batch.length < batchLimit && (entry.key === null || !keys.has(entry.key))) {
      batch.push(entry)
      if (entry.key !== null) keys.add(entry.key)
    } else rest.push(entry)
  }
  committer.queue = rest
  // Marked as it is taken (the other runner takes its next batch meanwhile); `runBatch` clears it.
  for (const entry of batch) if (counts(entry)) committer.counting.add(entry.command.campaignId)
  // Stable: one machine's commands keep their order of arrival.
  return batch.sort((a, b) => (a.command.order < b.command.order ? -1 : a.command.order > b.command.order ? 1 : 0))
}

type Ran =
  | { readonly kind: "replay"; readonly result: unknown }
  | { readonly kind: "ran"; readonly finish: (journal: number) => unknown; readonly upTo: number }

/** The stored answer of a key claimed before: replayed for the same request, refused for another. */
const replayOf = (tx: Tx, command: GroupedCommand<unknown, unknown, never>, key: string, requestHash: string) =>
  Effect.gen(function* () {
    const previous = yield* query("idempotency.load", (db) => storedResult(db, command.actor.id, key), tx)
    if (previous.request_hash !== requestHash) return yield* new IdempotencyConflict({ key })
    return { kind: "replay", result: previous.result } as Ran
  })

/**
 * One command: its key claimed (or its stored answer replayed), then its work. A command that
 * locks its machine first has its key claimed by that statement, or by its batch's (`locked`).
 */
const runOne = (tx: Tx, entry: Entry, locked: LockedMachine | undefined) =>
  Effect.gen(function* () {
    const { command, requestHash } = entry
    const key = command.idempotencyKey
    if (key === null || key === undefined || requestHash === null) {
      tx.locked = locked
      const finish = yield* Effect.ensuring(
        command.run(tx),
        Effect.sync(() => {
          tx.locked = undefined
        }),
      )
      return { kind: "ran", finish, upTo: tx.journal.rows.length } as Ran
    }
    if (command.claimsWithLock !== true) {
      const claimed = yield* query("idempotency.claim", (db) => claimKey(db, command.actor.id, key, requestHash), tx)
      if (!claimed) return yield* replayOf(tx, command, key, requestHash)
      const finish = yield* command.run(tx)
      return { kind: "ran", finish, upTo: tx.journal.rows.length } as Ran
    }
    const claim: KeyClaim = { principalId: command.actor.id, key, requestHash }
    tx.claim = claim
    tx.locked = locked
    const exit = yield* Effect.exit(command.run(tx))
    tx.claim = undefined
    tx.locked = undefined
    if (claim.claimed === false) return yield* replayOf(tx, command, key, requestHash)
    if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
    // A command that said it locks its machine first and never did would have run unclaimed.
    if (claim.claimed !== true) return yield* Effect.die(new Error("a command's idempotency key was never claimed"))
    return { kind: "ran", finish: exit.value, upTo: tx.journal.rows.length } as Ran
  })

/**
 * The machines of a batch's commands that lock one first, locked together in one statement
 * with their first looks, keys and reports' places: one a machine (a second command on it locks
 * it itself, after the first has changed it).
 */
const lockTogether = (tx: Tx, batch: ReadonlyArray<Entry>) =>
  Effect.gen(function* () {
    const asked: Array<{ readonly entry: Entry; readonly lock: LockAsked }> = []
    const machines = new Set<string>()
    for (const entry of batch) {
      const { command, requestHash } = entry
      if (command.locks === undefined) continue
      // `order` names the machine (campaign and unit).
      if (machines.has(command.order)) continue
      machines.add(command.order)
      const key = command.idempotencyKey
      const claim =
        command.claimsWithLock === true && key !== null && key !== undefined && requestHash !== null
          ? { principalId: command.actor.id, key, requestHash }
          : undefined
      asked.push({
        entry,
        lock: {
          campaignId: command.campaignId,
          unit: command.locks.unit,
          at: new Date(command.locks.at),
          claim,
          reportOf: command.locks.reportOf,
        },
      })
    }
    const locked = new Map<Entry, LockedMachine>()
    if (asked.length === 0) return locked
    // The counts the batch's commands may send: their campaigns' machines are locked for the
    // fan-in by the same statement, once the units' are, rather than by one of its own.
    const counting = batch.flatMap(({ command }) =>
      command.locks?.countsTo === undefined
        ? []
        : [{ campaignId: command.campaignId, key: command.locks.countsTo, at: Date.parse(command.locks.at) }],
    )
    const fanIn =
      counting.length === 0
        ? undefined
        : {
            campaignIds: [...new Set(counting.map((c) => c.campaignId))],
            at: new Date(Math.max(...counting.map((c) => c.at))),
            dedupeKeys: counting.map((c) => c.key),
            count: counting.length,
          }
    const result = yield* query(
      "machine.lockManyWithDue",
      (db) =>
        lockMachinesWithDue(
          db,
          asked.map((a) => a.lock),
          fanIn,
        ),
      tx,
    )
    if (fanIn !== undefined) lockedForFanIn(tx, fanIn, result.fanIn)
    for (const [index, { entry }] of asked.entries()) {
      const row = result.machines[index]
      if (row !== undefined) locked.set(entry, row)
    }
    return locked
  })

/** A command of an optimistic batch failed: the batch is rolled back and run again under savepoints. */
class CommandFailed {
  readonly _tag = "CommandFailed"
  readonly cause: Cause.Cause<unknown>
  constructor(cause: Cause.Cause<unknown>) {
    this.cause = cause
  }
}

/**
 * A command's work: under its savepoint (`isolated`), or bare, its failure then failing the
 * transaction as `CommandFailed` (a serialization failure, deadlock or interruption still
 * fails it as itself, so the transaction is retried or stopped as before).
 */
const attempt = (tx: Tx, entry: Entry, locked: LockedMachine | undefined, isolated: boolean) =>
  isolated
    ? underSavepoint(tx, "command", runOne(tx, entry, locked))
    : Effect.exit(runOne(tx, entry, locked)).pipe(
        Effect.flatMap((exit) => {
          if (Exit.isSuccess(exit)) return Effect.succeed({ ok: true as const, value: exit.value })
          const error = Cause.squash(exit.cause)
          if (Cause.hasInterruptsOnly(exit.cause) || (error instanceof StoreError && error.retryable))
            return Effect.failCause(exit.cause)
          return Effect.fail(new CommandFailed(exit.cause))
        }),
      )

/**
 * A command's answer with its journal position left open, when its answer is its `journal`
 * field and nothing else changes with the position: stored by the journal's append, which
 * knows the head. Otherwise undefined (stored after the append, in a statement of its own).
 */
const answerTemplate = (finish: (journal: number) => unknown): Record<string, unknown> | undefined => {
  const probe = finish(-1)
  if (typeof probe !== "object" || probe === null || Array.isArray(probe)) return undefined
  const template = probe as Record<string, unknown>
  if (template.journal !== -1) return undefined
  return canonicalJson({ ...template, journal: -2 }) === canonicalJson(finish(-2)) ? template : undefined
}

/** The batch's work in `tx`: each command's, then the journal with the keys' answers. */
const batchIn = (tx: Tx, batch: ReadonlyArray<Entry>, isolated: boolean) =>
  Effect.gen(function* () {
    const attempts: Array<Attempt<Ran, unknown>> = []
    // Without savepoints the batch's machines are locked together (with savepoints each locks its
    // own: a command rolled back to its savepoint would undo its batch's locks and claims), and
    // their steps are written together, before the next statement.
    const locked = isolated ? new Map<Entry, LockedMachine>() : yield* lockTogether(tx, batch)
    tx.steps.defer = !isolated
    for (const entry of batch) attempts.push(yield* attempt(tx, entry, locked.get(entry), isolated))
    // Messages to a free campaign machine applied now rather than by a worker's pass. Not under
    // savepoints: there each command's steps are written at once, its messages queued already.
    if (!isolated) yield* applyFanIn(tx)
    const rows = tx.journal.rows
    const queued = new Set(pendingRows(tx.journal).map((row) => row.campaign_id))
    // Its position: the head less the campaign's rows queued after it.
    const afterOf = (campaignId: string, upTo: number) => {
      let after = 0
      for (let at = upTo; at < rows.length; at++) if (rows[at]?.campaign_id === campaignId) after++
      return after
    }
    // The keys' answers the journal's append stores, by campaign. An answer it cannot store is
    // stored after it, which keeps the commit out of the append's round trip (`storedAfter`).
    // A campaign without rows keeps its head: read before the append, so nothing need follow it.
    const withAppend = new Map<string, AnswerAtHead[]>()
    const appended = new Set<Entry>()
    const unmoved = new Map<string, number>()
    let storedAfter = false
    for (const [index, attempt] of attempts.entries()) {
      const entry = batch[index]
      if (entry === undefined || !attempt.ok || attempt.value.kind !== "ran") continue
      const { campaignId, actor, idempotencyKey: key } = entry.command
      if (!queued.has(campaignId) && !unmoved.has(campaignId))
        unmoved.set(
          campaignId,
          // The head alone, which no step writes: the steps stay pending for the append.
          (yield* queryBesideSteps("journal.position", (db) => journalHead(db, campaignId), tx)).journal_seq,
        )
      if (key === null || key === undefined) continue
      const template = queued.has(campaignId) ? answerTemplate(attempt.value.finish) : undefined
      if (template === undefined) {
        storedAfter = true
        continue
      }
      const after = afterOf(campaignId, attempt.value.upTo)
      const list = withAppend.get(campaignId) ?? []
      list.push({ principal_id: actor.id, idempotency_key: key, result: template, after })
      withAppend.set(campaignId, list)
      appended.add(entry)
    }
    // The commands' steps are written by the journal's append: when it fails with them in it, the
    // batch runs again under savepoints, where each command's steps are written on their own.
    const withSteps = stepsPending(tx)
    const heads = yield* flushJournal(tx, withAppend, !storedAfter).pipe(
      Effect.catchIf(
        (error) => withSteps && error instanceof StoreError && !error.retryable,
        (error) => Effect.fail(new CommandFailed(Cause.fail(error))),
      ),
    )
    for (const [campaignId, seq] of unmoved) heads.set(campaignId, seq)
    const answers: Array<Exit.Exit<Answer<unknown>, unknown>> = []
    const stored: Array<{ principal_id: string; idempotency_key: string; result: unknown }> = []
    for (const [index, attempt] of attempts.entries()) {
      const entry = batch[index]
      if (entry === undefined) continue
      const command = entry.command
      if (!attempt.ok) {
        answers.push(Exit.failCause(attempt.cause))
        continue
      }
      const ran = attempt.value
      if (ran.kind === "replay") {
        answers.push(Exit.succeed({ result: ran.result, replayed: true }))
        continue
      }
      const campaignId = command.campaignId
      const head = heads.get(campaignId)
      if (head === undefined) return yield* Effect.die(new Error(`group commit: no journal head for ${campaignId}`))
      const result = ran.finish(head - afterOf(campaignId, ran.upTo))
      const key = command.idempotencyKey
      if (key !== null && key !== undefined && !appended.has(entry))
        stored.push({ principal_id: command.actor.id, idempotency_key: key, result })
      answers.push(Exit.succeed({ result, replayed: false }))
    }
    if (stored.length > 0) yield* query("idempotency.storeMany", (db) => storeResults(db, stored), tx)
    return answers
  })

/**
 * Runs a batch in one transaction and answers each command once it has committed. The
 * commands run without savepoints first (two round trips a command fewer, and no
 * subtransactions); when one fails, that transaction is rolled back and the batch runs again
 * with each command under its savepoint, so the failure is answered alone and the others
 * commit. A lone command needs no second run: its failure is its answer.
 */
const runBatch = (committer: Committer, batch: ReadonlyArray<Entry>) =>
  Effect.gen(function* () {
    const bare = yield* Effect.exit(transaction("commands", (tx) => batchIn(tx, batch, false)))
    const failed = Exit.isFailure(bare) ? Cause.squash(bare.cause) : undefined
    const exit =
      failed instanceof CommandFailed
        ? batch.length === 1
          ? Exit.succeed([Exit.failCause(failed.cause)] as Array<Exit.Exit<Answer<unknown>, unknown>>)
          : yield* Effect.exit(transaction("commands", (tx) => batchIn(tx, batch, true)))
        : bare
    for (const [index, entry] of batch.entries()) {
      const answer = Exit.isSuccess(exit) ? exit.value[index] : exit
      if (answer !== undefined) yield* Deferred.done(entry.deferred, answer as Exit.Exit<Answer<unknown>, unknown>)
    }
  }).pipe(
    Effect.ensuring(
      Effect.sync(() => {
        for (const entry of batch) if (counts(entry)) committer.counting.delete(entry.command.campaignId)
      }),
    ),
  )

/** Takes batches until the queue is empty. */
const drain = (committer: Committer) =>
  Effect.gen(function* () {
    while (committer.queue.length > 0) {
      const batch = takeBatch(committer)
      // What is queued waits for a batch in flight, whose loop takes it once done.
      if (batch.length === 0) break
      yield* runBatch(committer, batch)
    }
  }).pipe(
    Effect.ensuring(
      Effect.gen(function* () {
        committer.running--
        // Only if the last loop was stopped: nobody is left waiting for ever.
        if (committer.running > 0) return
        const left = committer.queue
        committer.queue = []
        for (const entry of left)
          yield* Deferred.failCause(entry.deferred, Cause.die(new Error("group commit stopped")))
      }),
    ),
  )

/**
 * Runs a command in the next group commit and answers once it has committed: its result
 * (what `run` finished with, given the journal's sequence number after its rows), or its
 * stored answer when its idempotency key was used before with the same request.
 */
export const groupCommitted = <A, E, R>(command: GroupedCommand<A, E, R>) =>
  Effect.gen(function* () {
    const context = yield* Effect.context<R | Db>()
    const db = yield* Effect.service(Db)
    const deferred = yield* Deferred.make<Answer<unknown>, unknown>()
    const committer = committerOf(db.kysely)
    const key =
      command.idempotencyKey === null || command.idempotencyKey === undefined
        ? null
        : `${command.actor.id}\u0000${command.idempotencyKey}`
    const provided = {
      ...command,
      run: (tx: Tx) => Effect.provideContext(command.run(tx), context),
    } as unknown as GroupedCommand<unknown, unknown, never>
    const requestHash = key === null ? null : sha256Hex(canonicalJson(command.request))
    committer.queue.push({ command: provided, key, requestHash, deferred })
    if (committer.running < runners) {
      committer.running++
      yield* Effect.forkDetach(Effect.provideContext(drain(committer), context))
    }
    return (yield* Deferred.await(deferred)) as Answer<A>
  }) as Effect.Effect<Answer<A>, E | IdempotencyConflict | StoreError, R | Db>
