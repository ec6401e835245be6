/**
 * What every unit-task command does first: decode the reference, load the
 * campaign, and hide what the caller may not read behind "not found".
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { canRead } from "../Authz.ts"
import { Clock } from "../Clock.ts"
import { loadCampaign } from "../Definitions.ts"
import { NotFound } from "../Errors.ts"
import { decode, parseTaskRef, TaskRef } from "../Refs.ts"

/** The current campaign-clock time as an ISO string. */
export const nowIso = Effect.flatMap(Effect.service(Clock), (clock) => Effect.map(clock.now, (d) => d.toISOString()))

/** Resolves a task reference the actor may read: its campaign and the task's definition. */
export const resolveTask = (ref: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const address = parseTaskRef(yield* decode(TaskRef, ref))
    const loaded = yield* loadCampaign(address.campaign).pipe(
      Effect.catchTag("NotFound", () => Effect.fail(new NotFound({ what: "task", ref: String(ref) }))),
    )
    const task = loaded.definition.phases.flatMap((p) => p.tasks).find((t) => t.key === address.task)
    if (task === undefined || !task.units.includes(address.unit) || !canRead(actor, loaded.definition, address.unit)) {
      return yield* new NotFound({ what: "task", ref: String(ref) })
    }
    return { address, loaded, task }
  })
