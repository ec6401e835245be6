/** /healthz and /readyz. */
import { Api } from "@liandong/api"
import { Db } from "@liandong/engine"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { requestContext } from "../Language.ts"
import { unavailable } from "../Problems.ts"
import { databaseAnswers } from "../Readiness.ts"

/** The system group's handlers. */
export const systemHandlers = HttpApiBuilder.group(Api, "system", (handlers) =>
  handlers
    .handle("health", () => Effect.succeed({ status: "ok" as const }))
    .handle("ready", () =>
      Effect.gen(function* () {
        const db = yield* Effect.service(Db)
        if (yield* databaseAnswers) return { status: "ready" as const, database: db.store.kind }
        return yield* Effect.fail(unavailable(yield* requestContext))
      }),
    ),
)
