/** A unit acknowledges a task assigned to it (确认接收). */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { groupCommitted } from "../GroupCommit.ts"
import { applyCommand, machineOrder, nowIso, onFreshCampaign, requireOwnTask, resolveTask } from "./Common.ts"

/** Acknowledges `<campaign>/<unit>/<task>` as the unit's principal. */
export const acknowledge = (ref: unknown, actor: Actor, options: { idempotencyKey?: string | null } = {}) =>
  onFreshCampaign(
    Effect.gen(function* () {
      const { address, loaded } = yield* resolveTask(ref, actor, "acknowledge")
      yield* requireOwnTask(actor, address, "acknowledge")
      const at = yield* nowIso
      const outcome = yield* groupCommitted({
        order: machineOrder(loaded.row.id, address.unit),
        campaignId: loaded.row.id,
        actor,
        idempotencyKey: options.idempotencyKey,
        request: { command: "acknowledge", ref },
        claimsWithLock: true,
        locks: { unit: address.unit, at },
        run: (tx) =>
          Effect.map(
            applyCommand(tx, {
              loaded,
              unit: address.unit,
              at,
              prepare: (_, when) =>
                Effect.succeed({
                  event: { type: "task.acknowledge", task: address.task, by: actor.id, at: when },
                  cause: { actor, cause: "command", idempotencyKey: options.idempotencyKey ?? null },
                  answer: null,
                }),
            }),
            () => (journal: number) => ({
              task: `${address.campaign}/${address.unit}/${address.task}`,
              status: "acknowledged",
              journal,
            }),
          ),
      })
      return { ...outcome.result, replayed: outcome.replayed }
    }),
  )
