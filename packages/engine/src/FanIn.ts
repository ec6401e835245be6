/**
 * A phase's fan-in applied where it is sent. A command that finishes a unit's phase sends
 * `unit.phase-done` to the campaign's machine; a worker applying it pays a pass of its own — a
 * wake-up, a look, a claim, a step with its journal row and commit, a look — which costs as much
 * again as the command (docs/performance.md). When the campaign's machine is free (no other
 * transaction holds it, no timer is due on it) and the message only counts (the step opens or
 * closes nothing and sends nothing), the command's transaction applies it as a worker would:
 * the message is written as done, under the id the step's journal row names, in the statement
 * that writes the step. Anything else is queued for the workers as before.
 *
 * The campaign's machine is locked for it by the batch's lock statement when a command of the
 * batch may count (an approval: `GroupedCommand`'s `countsTo`), once the units' machines are
 * locked — a review's round trip fewer. Else, or when that statement's answer cannot serve (the
 * machine held by another transaction then, or changed while the statement waited), by a
 * statement of its own (`lockFanIn`).
 *
 * Only `unit.phase-done`: the campaign's machine counts them. The counts queued on the machine
 * (another transaction held it a moment ago) are applied first; counts commute, so one a worker
 * holds or retries may be passed, and the machine ends in the same state; the phase closes at
 * whichever comes last, which is never applied here. A due timer is never passed: what it
 * causes comes first.
 */
import type { MachineRow } from "@liandong/store"
import type { MachineEvent } from "@liandong/workflow"
import { Effect, Result } from "effect"
import { system } from "./Actor.ts"
import { queryBesideSteps, type Tx } from "./Db.ts"
import type { LoadedCampaign } from "./Definitions.ts"
import { recordTransition, transition } from "./Step.ts"
import { type FanInAsked, type FanInLocked, lockFanIn } from "./sql/FanIn.ts"
import type { MessageToSend } from "./sql/Machines.ts"

/** The campaigns whose machine a transaction's commands sent messages to, as the commands loaded them. */
const sentTo = new WeakMap<Tx, Map<string, LoadedCampaign>>()

/** Notes that a command's step in `tx` sent a message to its campaign's machine. */
export const sentToCampaign = (tx: Tx, loaded: LoadedCampaign): void => {
  const campaigns = sentTo.get(tx)
  if (campaigns === undefined) sentTo.set(tx, new Map([[loaded.row.id, loaded]]))
  else campaigns.set(loaded.row.id, loaded)
}

/** What a batch's lock statement asked and found for the fan-in (`lockedForFanIn`). */
const lockedEarly = new WeakMap<Tx, { readonly asked: FanInAsked; readonly locked: FanInLocked | undefined }>()

/** Notes what the lock statement of `tx`'s batch found for its fan-in, asked for the counts its commands may send. */
export const lockedForFanIn = (tx: Tx, asked: FanInAsked, locked: FanInLocked | undefined): void => {
  lockedEarly.set(tx, { asked, locked })
}

/**
 * What the batch's lock statement found, when it answers for `candidates`: their keys asked, by
 * a time no earlier than theirs, each campaign's machine locked there and fresh, an id for each.
 * Else undefined, and the fan-in locks in a statement of its own — a machine another transaction
 * held then may be free by now, a stale one read afresh.
 */
const lockedBefore = (tx: Tx, candidates: ReadonlyArray<MessageToSend>, latest: string) => {
  const early = lockedEarly.get(tx)
  if (early?.locked === undefined || Date.parse(latest) > early.asked.at.getTime()) return undefined
  const { asked, locked } = early
  const covered = candidates.every(
    (message) =>
      asked.dedupeKeys.includes(message.dedupe_key) &&
      locked.machines.some((machine) => machine.campaign_id === message.campaign_id),
  )
  return covered && locked.ids.length >= candidates.length ? locked : undefined
}

/**
 * Applies the messages the transaction's pending steps send to the machines of the campaigns
 * its commands sent to (`sentToCampaign`), where it can; the rest stay queued. Only for a
 * transaction whose steps are pending (written with its journal's append): what it applies is
 * taken out of the messages to queue.
 */
export const applyFanIn = (tx: Tx) =>
  Effect.gen(function* () {
    const campaigns = sentTo.get(tx)
    // Steps written as they are taken (under a savepoint) have queued their messages already.
    if (!tx.steps.defer) return
    const rows = tx.steps.rows
    // Counts queued on a machine the lock statement took: the workers, whose looks passed it by
    // meanwhile, are woken once this commits, unless they are all applied here (below).
    const early = lockedEarly.get(tx)
    for (const machine of early?.locked?.machines ?? [])
      if (machine.queued.length > 0) rows.woken.add(machine.campaign_id)
    // A stale machine's counts were locked all the same.
    for (const campaignId of early?.locked?.stale ?? []) rows.woken.add(campaignId)
    if (campaigns === undefined) return
    const candidates = rows.sent.filter(
      (message) =>
        message.unit === null &&
        message.moot_after === null &&
        (message.event as MachineEvent).type === "unit.phase-done" &&
        campaigns.has(message.campaign_id),
    )
    if (candidates.length === 0) return
    // ISO times in one zone: the latest sorts last.
    const latest = candidates.map((message) => message.at).sort()[candidates.length - 1] as string
    const locked =
      lockedBefore(tx, candidates, latest) ??
      (yield* queryBesideSteps(
        "machine.lockFanIn",
        (db) =>
          lockFanIn(db, {
            campaignIds: [...new Set(candidates.map((message) => message.campaign_id))],
            at: new Date(latest),
            dedupeKeys: candidates.map((message) => message.dedupe_key),
            count: candidates.length,
          }),
        tx,
      ))
    const held = new Map<string, MachineRow>()
    for (const { pinned, timer_due, queued: _, ...machine } of locked.machines) {
      const loaded = campaigns.get(machine.campaign_id)
      // A step of it pending in this transaction (not in the row read), a timer due first, or a
      // campaign changed since its commands loaded it: the workers apply the messages.
      if (timer_due || tx.steps.machines.has(machine.id) || pinned !== String(loaded?.row.definition_id)) continue
      held.set(machine.campaign_id, machine)
    }
    const ids = [...locked.ids]
    const applied = new Set<MessageToSend>()
    /** Applies a count to its campaign's machine if it only counts; false when it is left to the workers. */
    const count = (loaded: LoadedCampaign, event: MachineEvent, id: string) =>
      Effect.gen(function* () {
        const machine = held.get(loaded.row.id)
        if (machine === undefined) return false
        const computed = yield* Effect.result(transition(loaded, machine, event))
        const step = Result.isSuccess(computed) ? computed.success : undefined
        // Not taken, or a step with consequences (a phase opened or closed, messages sent, the
        // journal signed): left to the workers, and the counts behind it on this machine too
        // (counted after the phase closed, not before).
        if (step === undefined || step.effects.length > 0 || step.checkpoint !== null) {
          held.delete(loaded.row.id)
          return false
        }
        const done = yield* recordTransition(tx, loaded, machine, step, { actor: system, cause: `message:${id}` })
        held.set(loaded.row.id, done.row)
        return true
      })
    // First the counts queued on the machines (another transaction held one a moment ago): a
    // worker would have to wait for the machine while commands keep taking it.
    for (const machine of locked.machines) {
      const loaded = campaigns.get(machine.campaign_id)
      if (loaded === undefined) continue
      for (const queued of machine.queued) {
        if (!(yield* count(loaded, queued.event as MachineEvent, queued.id))) break
        rows.completed.messages.push({ id: queued.id, status: "done", note: null, at: latest })
      }
    }
    for (const message of candidates) {
      const loaded = campaigns.get(message.campaign_id)
      // A message sent before under this key is not sent again, nor applied.
      if (loaded === undefined || locked.sent.has(message.dedupe_key)) continue
      const id = ids[0] as string
      if (!(yield* count(loaded, message.event as MachineEvent, id))) continue
      ids.shift()
      applied.add(message)
      rows.applied.push({
        id,
        campaign_id: message.campaign_id,
        machine_id: held.get(message.campaign_id)?.id as string,
        dedupe_key: message.dedupe_key,
        event: message.event,
        at: message.at,
      })
    }
    if (applied.size === 0) return
    const left = rows.sent.filter((message) => !applied.has(message))
    rows.sent.length = 0
    rows.sent.push(...left)
    // The workers are woken only for what is left them: timers, messages, a summary.
    for (const campaignId of campaigns.keys())
      if (
        !left.some((m) => m.campaign_id === campaignId) &&
        !rows.scheduled.some((t) => t.campaign_id === campaignId) &&
        !rows.summaries.some((s) => s.campaign_id === campaignId)
      )
        rows.woken.delete(campaignId)
  })
