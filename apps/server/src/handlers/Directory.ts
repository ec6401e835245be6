/** `/me`, `/clock` and `/units`. */
import { Api, CurrentPrincipal } from "@liandong/api"
import { pageUnits } from "@liandong/engine/reads"
import { Clock } from "@liandong/engine/runtime"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { answer, currentActor } from "../Handle.ts"

/** The directory group's handlers. */
export const directoryHandlers = HttpApiBuilder.group(Api, "directory", (handlers) =>
  handlers
    .handle("me", () => Effect.service(CurrentPrincipal))
    .handle("clock", () =>
      Effect.flatMap(Effect.service(Clock), (clock) =>
        Effect.map(clock.now, (now) => ({ now: now.toISOString(), simulated: clock.simulated })),
      ),
    )
    .handle("units", ({ query }) =>
      Effect.flatMap(currentActor, (actor) =>
        answer(
          pageUnits(
            actor,
            { campaign: query.campaign, parent: query.parent },
            { limit: query.limit, cursor: query.cursor },
          ),
          "query",
        ),
      ),
    ),
)
