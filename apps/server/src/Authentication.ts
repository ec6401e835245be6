/**
 * The bearer-token middleware: the token becomes its principal (the engine's
 * `authenticate`), and the principal is all a handler knows of who calls.
 * Its requests count against the principal's rate limit only once it is
 * authenticated; a failed authentication counts against the client address.
 */
import type * as Api from "@liandong/api"
import { Authentication, CurrentPrincipal } from "@liandong/api"
import { describePrincipal } from "@liandong/engine/reads"
import type { Db } from "@liandong/engine/runtime"
import { authenticate, type Clock, Unauthenticated } from "@liandong/engine/runtime"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpServerRequest, type HttpServerResponse } from "effect/http"
import { requestContext } from "./Language.ts"
import { tooManyRequests, toProblem } from "./Problems.ts"
import { type RequestLimits, retryAfterOf } from "./RateLimit.ts"

const principalOf = (token: string) =>
  Effect.flatMap(authenticate(token), (actor) =>
    describePrincipal(actor).pipe(
      Effect.catchTag("NotFound", () => Effect.fail(new Unauthenticated({ reason: "unknown" }))),
    ),
  )

/** The Authentication middleware, running the engine with the services it was built with. */
export const authenticationLayer = (limits: RequestLimits) =>
  Layer.effect(Authentication)(
    Effect.gen(function* () {
      const services = yield* Effect.context<Db | Clock>()
      return Authentication.of({
        bearer: (handler, { credential }) =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            const ctx = yield* requestContext
            const address = Option.getOrElse(request.remoteAddress, () => "unknown")
            const principal = yield* principalOf(Redacted.value(credential)).pipe(
              Effect.provideContext(services),
              Effect.tapError((error) =>
                // A failed authentication spends the address's budget, never the principal's it names.
                Effect.sync(() => {
                  if (error._tag === "Unauthenticated") limits.failures.take(address)
                }),
              ),
              Effect.catch((error) => Effect.flatMap(toProblem(error, ctx, "header"), Effect.fail)),
            )
            const decision = limits.principals.take(principal.id)
            if (!decision.allowed) {
              retryAfterOf.set(request.source as object, decision.retryAfter)
              return yield* Effect.fail(tooManyRequests(decision.retryAfter, ctx))
            }
            return yield* Effect.provideService(handler, CurrentPrincipal, principal)
          }) as Effect.Effect<
            HttpServerResponse.HttpServerResponse,
            Api.Unauthenticated | Api.TooManyRequests,
            HttpServerRequest.HttpServerRequest
          >,
        // Besides 401 and 429 it may answer 503/500 (a database failure), which every endpoint declares.
      })
    }),
  )
