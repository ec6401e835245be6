/**
 * What every unit-task command does first: decode the reference, load the
 * campaign, and hide what the caller may not read behind "not found".
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { applyDue, type CommandDue } from "../ApplyDue.ts"
import { canRead, canSeeCampaign, requireUnitActor } from "../Authz.ts"
import { journalDenial, refuseUnseen } from "../audit/Denials.ts"
import { Clock } from "../Clock.ts"
import type { Tx } from "../Db.ts"
import { loadCampaign } from "../Definitions.ts"
import { NotFound } from "../Errors.ts"
import { decode, parseTaskRef, type TaskAddress, TaskRef } from "../Refs.ts"

/** The current campaign-clock time as an ISO string. */
export const nowIso = Effect.flatMap(Effect.service(Clock), (clock) => Effect.map(clock.now, (d) => d.toISOString()))

/** Resolves a task reference the actor may read: its campaign and the task's definition. */
export const resolveTask = (ref: unknown, actor: Actor, action: string) =>
  Effect.gen(function* () {
    const address = parseTaskRef(yield* decode(TaskRef, ref))
    const notFound = new NotFound({ what: "task", ref: String(ref) })
    // Every "not found" below is recorded alike, so none tells whether its target exists.
    const loaded = yield* loadCampaign(address.campaign).pipe(
      Effect.catchTag("NotFound", () => refuseUnseen(null, actor, action, String(ref), notFound)),
    )
    if (!canSeeCampaign(actor, loaded.definition))
      return yield* refuseUnseen(address.campaign, actor, action, String(ref), notFound)
    const task = loaded.definition.phases.flatMap((p) => p.tasks).find((t) => t.key === address.task)
    if (task === undefined || !task.units.includes(address.unit) || !canRead(actor, loaded.definition, address.unit)) {
      // A missing task, or another unit's: answered as not found, and journaled in the campaign's chain.
      return yield* Effect.fail(notFound).pipe(journalDenial(address.campaign, actor, action, String(ref)))
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
