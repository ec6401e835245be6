/** A unit acknowledges a task assigned to it (确认接收). */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { commandOnUnit, nowIso, onFreshCampaign, requireOwnTask, resolveTask } from "./Common.ts"

/** Acknowledges `<campaign>/<unit>/<task>` as the unit's principal. */
export const acknowledge = (ref: unknown, actor: Actor, options: { idempotencyKey?: string | null } = {}) =>
  onFreshCampaign(
    Effect.gen(function* () {
      const { address, loaded } = yield* resolveTask(ref, actor, "acknowledge")
      yield* requireOwnTask(actor, address, "acknowledge")
      const at = yield* nowIso
      const outcome = yield* commandOnUnit({
        loaded,
        unit: address.unit,
        at,
        actor,
        idempotencyKey: options.idempotencyKey,
        request: { command: "acknowledge", ref },
        prepare: (_, when) =>
          Effect.succeed({
            event: { type: "task.acknowledge", task: address.task, by: actor.id, at: when },
            cause: { actor, cause: "command", idempotencyKey: options.idempotencyKey ?? null },
            answer: null,
          }),
        answer: () => (journal: number) => ({
          task: `${address.campaign}/${address.unit}/${address.task}`,
          status: "acknowledged",
          journal,
        }),
      })
      return { ...outcome.result, replayed: outcome.replayed }
    }),
  )
