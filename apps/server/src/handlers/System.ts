/** /healthz and /readyz. */
import { Api } from "@liandong/api"
import { databaseInfo, ping } from "@liandong/engine/runtime"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { requestContext } from "../Language.ts"
import { unavailable } from "../Problems.ts"

/** The system group's handlers. */
export const systemHandlers = HttpApiBuilder.group(Api, "system", (handlers) =>
  handlers
    .handle("health", () => Effect.succeed({ status: "ok" as const }))
    .handle("ready", () =>
      Effect.gen(function* () {
        const { kind } = yield* databaseInfo
        if (yield* ping) return { status: "ready" as const, database: kind }
        return yield* Effect.fail(unavailable(yield* requestContext))
      }),
    ),
)
