/**
 * The authentication middleware: a bearer token (machines, scripts) or the session cookie
 * (people in a browser) becomes its principal, and the principal is all a handler knows of
 * who calls. A write made with the cookie must come from our own origin and carry the
 * session's CSRF token; a bearer token needs none, a cross-site page cannot send one.
 * Requests count against the principal's rate limit only once it is authenticated; a failed
 * authentication counts against the client address.
 */
import type * as Api from "@liandong/api"
import { Authentication, CrossSiteRefused, CurrentPrincipal } from "@liandong/api"
import { describePrincipal } from "@liandong/engine/reads"
import type { Db } from "@liandong/engine/runtime"
import { type Actor, authenticate, authenticateSession, type Clock, Unauthenticated } from "@liandong/engine/runtime"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpServerRequest, type HttpServerResponse } from "effect/http"
import type { SessionSettings } from "./Config.ts"
import { csrfAllowed, defaultSessionSettings } from "./CookieSession.ts"
import { requestContext } from "./Language.ts"
import { tooManyRequests, toProblem } from "./Problems.ts"
import { type RequestLimits, retryAfterOf } from "./RateLimit.ts"
import { sessionSecretOf } from "./SessionCookie.ts"

const describe = (actor: Actor) =>
  describePrincipal(actor).pipe(
    Effect.catchTag("NotFound", () => Effect.fail(new Unauthenticated({ reason: "unknown" }))),
  )

const principalOfToken = (token: string) => Effect.flatMap(authenticate(token), describe)

const principalOfSession = (secret: string | undefined) =>
  Effect.flatMap(authenticateSession(secret), ({ actor }) => describe(actor))

/** The answer to a cookie-authenticated write without our origin or its CSRF token. */
export const crossSiteRefused = (instance: string, lang: "zh" | "en") =>
  new CrossSiteRefused({
    instance,
    detail:
      lang === "zh"
        ? "跨站请求被拒绝:使用会话 Cookie 的写操作须来自本站并携带 x-csrf-token"
        : "cross-site request refused: a write made with the session cookie must come from this site and carry x-csrf-token",
  })

/** The Authentication middleware, running the engine with the services it was built with. */
export const authenticationLayer = (limits: RequestLimits, settings: SessionSettings = defaultSessionSettings) =>
  Layer.effect(Authentication)(
    Effect.gen(function* () {
      const services = yield* Effect.context<Db | Clock>()
      return Authentication.of({
        bearer: (handler, { credential }) =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            const ctx = yield* requestContext
            const address = Option.getOrElse(request.remoteAddress, () => "unknown")
            const token = Redacted.value(credential)
            // Without an Authorization header the session cookie speaks; with one, only the token.
            const secret = request.headers.authorization === undefined ? sessionSecretOf(request.cookies) : undefined
            if (secret !== undefined && !csrfAllowed(request, secret, settings)) {
              return yield* Effect.fail(crossSiteRefused(ctx.instance, ctx.lang))
            }
            const principal = yield* (secret !== undefined ? principalOfSession(secret) : principalOfToken(token)).pipe(
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
            Api.Unauthenticated | Api.TooManyRequests | Api.CrossSiteRefused,
            HttpServerRequest.HttpServerRequest
          >,
        // Besides 401, 403 and 429 it may answer 503/500 (a database failure), which every endpoint declares.
      })
    }),
  )
