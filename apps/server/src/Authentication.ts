/**
 * The bearer-token middleware: the token becomes its principal (the engine's
 * `authenticate`), and the principal is all a handler knows of who calls.
 */
import type * as Api from "@liandong/api"
import { Authentication, CurrentPrincipal } from "@liandong/api"
import { authenticate, type Clock, type Db, describePrincipal, Unauthenticated } from "@liandong/engine"
import { Effect, Layer, Redacted } from "effect"
import type { HttpServerRequest, HttpServerResponse } from "effect/http"
import { requestContext } from "./Language.ts"
import { toProblem } from "./Problems.ts"

const principalOf = (token: string) =>
  Effect.flatMap(authenticate(token), (actor) =>
    describePrincipal(actor).pipe(
      Effect.catchTag("NotFound", () => Effect.fail(new Unauthenticated({ reason: "unknown" }))),
    ),
  )

/** The Authentication middleware, running the engine with the services it was built with. */
export const authenticationLayer = Layer.effect(Authentication)(
  Effect.gen(function* () {
    const services = yield* Effect.context<Db | Clock>()
    return Authentication.of({
      bearer: (handler, { credential }) =>
        principalOf(Redacted.value(credential)).pipe(
          Effect.provideContext(services),
          Effect.catch((error) =>
            Effect.flatMap(requestContext, (ctx) => Effect.flatMap(toProblem(error, ctx, "header"), Effect.fail)),
          ),
          Effect.flatMap((principal) => Effect.provideService(handler, CurrentPrincipal, principal)),
          // Besides 401 it may answer 503/500 (a database failure), which every endpoint declares.
        ) as Effect.Effect<
          HttpServerResponse.HttpServerResponse,
          Api.Unauthenticated,
          HttpServerRequest.HttpServerRequest
        >,
    })
  }),
)
