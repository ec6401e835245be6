/**
 * What every unit-task command does first: decode the reference, load the
 * campaign, and hide what the caller may not read behind "not found".
 */
import type { MachineRow } from "@liandong/store"
import { isListed } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { applyDue, type CommandDue, type Prepared } from "../ApplyDue.ts"
import { canRead, canSeeCampaign, requireUnitActor } from "../Authz.ts"
import { journalDenial, refuseUnseen } from "../audit/Denials.ts"
import { Clock } from "../Clock.ts"
import type { Db, Tx } from "../Db.ts"
import { forgetCampaignCopy, type LoadedCampaign, loadCampaignForCommand } from "../Definitions.ts"
import { CampaignChanged, CampaignState, NotFound } from "../Errors.ts"
import { groupCommitted } from "../GroupCommit.ts"
import { decode, parseTaskRef, type TaskAddress, TaskRef } from "../Refs.ts"
import type { ReportSlot } from "../sql/Machines.ts"

/** The current campaign-clock time as an ISO string. */
export const nowIso = Effect.flatMap(Effect.service(Clock), (clock) => Effect.map(clock.now, (d) => d.toISOString()))

/**
 * A campaign for a command, as `admits` judges it: this process's copy, or, when that copy
 * would refuse the command (or is gone), a fresh one — a refusal is never made on a cached copy.
 */
export const campaignForCommand = (campaignId: string, admits: (loaded: LoadedCampaign) => boolean) =>
  Effect.gen(function* () {
    const first = yield* loadCampaignForCommand(campaignId)
    if (!first.cached || admits(first.loaded)) return first.loaded
    yield* forgetCampaignCopy(campaignId)
    return (yield* loadCampaignForCommand(campaignId)).loaded
  })

/**
 * Runs a command again, on a fresh copy of its campaign, when the campaign was changed after
 * the command loaded it (found when its machine was locked; that attempt left nothing). Twice
 * at most: a campaign changed three times during one command is answered with a request to retry.
 */
export const onFreshCampaign = <A, E, R>(command: Effect.Effect<A, E | CampaignChanged, R>) => {
  const attempt = (left: number): Effect.Effect<A, unknown, R | Db> =>
    Effect.catch(command, (error) => {
      if (!(error instanceof CampaignChanged)) return Effect.fail(error)
      if (left > 0) return Effect.andThen(forgetCampaignCopy(error.campaign), attempt(left - 1))
      return Effect.fail(
        new CampaignState({
          campaign: error.campaign,
          status: "changing",
          zh: "活动在处理本操作期间被多次变更,请重试",
          en: "the campaign was changed several times while this command ran; try again",
        }),
      )
    })
  return attempt(2) as Effect.Effect<A, Exclude<E, CampaignChanged> | CampaignState, R | Db>
}

/**
 * Resolves a task reference the actor may read: its campaign and the task's definition. The
 * campaign may be this process's copy (`copy`) only for a command whose machine's lock checks it.
 */
export const resolveTask = (ref: unknown, actor: Actor, action: string, copy = true) =>
  Effect.gen(function* () {
    const address = parseTaskRef(yield* decode(TaskRef, ref))
    // Made only when refused: an error records its stack, which costs more than the command.
    const notFound = () => new NotFound({ what: "task", ref: String(ref) })
    const taskOf = (loaded: LoadedCampaign) =>
      loaded.definition.phases.flatMap((p) => p.tasks).find((t) => t.key === address.task)
    const admits = (loaded: LoadedCampaign) => {
      const task = taskOf(loaded)
      return (
        copy &&
        canSeeCampaign(actor, loaded.definition) &&
        task !== undefined &&
        isListed(task.units, address.unit) &&
        canRead(actor, loaded.definition, address.unit)
      )
    }
    // Every "not found" below is recorded alike, so none tells whether its target exists.
    const loaded = yield* campaignForCommand(address.campaign, admits).pipe(
      Effect.catchTag("NotFound", () => refuseUnseen(null, actor, action, String(ref), notFound())),
    )
    if (!canSeeCampaign(actor, loaded.definition))
      return yield* refuseUnseen(address.campaign, actor, action, String(ref), notFound())
    const task = taskOf(loaded)
    if (task === undefined || !isListed(task.units, address.unit) || !canRead(actor, loaded.definition, address.unit)) {
      // A missing task, or another unit's: answered as not found, and journaled in the campaign's chain.
      return yield* Effect.fail(notFound()).pipe(journalDenial(address.campaign, actor, action, String(ref)))
    }
    return { address, loaded, task }
  })

/** Fails (and journals the attempt) unless the actor is the task's own unit. */
export const requireOwnTask = (actor: Actor, address: TaskAddress, action: string) =>
  requireUnitActor(actor, address.unit, action).pipe(
    journalDenial(address.campaign, actor, action, `${address.campaign}/${address.unit}/${address.task}`),
  )

/**
 * Applies a command's event to its machine in `tx`, after whatever fell due there by the
 * command's time: what `prepare` answers, and the step.
 */
export const applyCommand = <A, E, R>(tx: Tx, command: Omit<CommandDue<A, E, R>, "kind">) =>
  Effect.flatMap(
    applyDue(tx, [{ kind: "command", ...command }], { now: new Date(command.at), mode: "isolated" }),
    (applied) => {
      const outcome = applied.outcomes[0]
      return typeof outcome === "object"
        ? Effect.succeed(outcome)
        : Effect.die(new Error(`a command's event came out ${String(outcome)}`))
    },
  )

/** Where a machine lies, for the order of a group commit's commands: campaign, then unit (the campaign's own first). */
export const machineOrder = (campaignId: string, unit: string | null) => `${campaignId}\u0000${unit ?? ""}`

/**
 * A command on a unit's task, in the next group commit: its machine locked first (with the
 * batch's), its idempotency key claimed by that lock, then what fell due there by its time,
 * then `prepare` (its own rows, in the transaction, at the time its event takes, given the
 * machine as it stands and the report's place when `reportOf` asked for one) and its event;
 * `answer` words the result from what `prepare` answered, given the journal position.
 */
export const commandOnUnit = <P, A, E, R>(command: {
  readonly loaded: LoadedCampaign
  readonly unit: string
  readonly at: string
  readonly actor: Actor
  readonly idempotencyKey: string | null | undefined
  readonly request: unknown
  /** the task whose next report the command submits: its place is taken with the machine's lock */
  readonly reportOf?: string
  /** the key of the count its step may send to the campaign's machine (`GroupedCommand`'s `locks`) */
  readonly countsTo?: string
  readonly prepare: (
    tx: Tx,
    at: string,
    machine: MachineRow,
    report: ReportSlot | undefined,
  ) => Effect.Effect<Prepared<P>, E, R>
  readonly answer: (prepared: P) => (journal: number) => A
}) =>
  groupCommitted({
    order: machineOrder(command.loaded.row.id, command.unit),
    campaignId: command.loaded.row.id,
    actor: command.actor,
    idempotencyKey: command.idempotencyKey,
    request: command.request,
    claimsWithLock: true,
    locks: { unit: command.unit, at: command.at, reportOf: command.reportOf, countsTo: command.countsTo },
    run: (tx) =>
      Effect.map(
        applyCommand(tx, {
          loaded: command.loaded,
          unit: command.unit,
          at: command.at,
          prepare: (machine, when, report) => command.prepare(tx, when, machine, report),
        }),
        (applied) => command.answer(applied.answer),
      ),
  })
