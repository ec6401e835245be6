/** Signing in with a name and a password, and accepting an invitation. */
import * as Api from "@liandong/api"
import { acceptInvitation } from "@liandong/engine/commands"
import { describePrincipal } from "@liandong/engine/reads"
import {
  authenticateSession,
  type Db,
  type InvitationInvalid,
  type SignInRefused,
  signIn,
} from "@liandong/engine/runtime"
import { Effect, Option } from "effect"
import { HttpServerRequest } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { crossSiteRefused } from "../Authentication.ts"
import type { SessionSettings } from "../Config.ts"
import { cookieSecurityOf, defaultSessionSettings, originAllowed, setSessionCookie } from "../CookieSession.ts"
import type { WriteProblem } from "../Handle.ts"
import { type RequestContext, requestContext } from "../Language.ts"
import { type EngineFailure, tooManyRequests, toProblem } from "../Problems.ts"
import { type RequestLimits, retryAfterOf } from "../RateLimit.ts"
import { csrfTokenFor } from "../SessionCookie.ts"

/** Answers an engine failure as its problem; a refused sign-in or invitation as its own. */
const problemOf = (
  ctx: RequestContext,
  error: EngineFailure | SignInRefused | InvitationInvalid,
): Effect.Effect<never, AnyProblem> =>
  error._tag === "SignInRefused"
    ? Effect.fail(new Api.SignInRefused({ instance: ctx.instance, detail: error[ctx.lang] }))
    : error._tag === "InvitationInvalid"
      ? Effect.fail(new Api.InvitationInvalid({ instance: ctx.instance, detail: error[ctx.lang] }))
      : (Effect.flatMap(toProblem(error, ctx), Effect.fail) as Effect.Effect<never, AnyProblem>)

type AnyProblem = WriteProblem | Api.SignInRefused | Api.InvitationInvalid | Api.CrossSiteRefused | Api.TooManyRequests

/** Refuses a request from another site's page, or from an address out of its failure budget. */
const admit = (limits: RequestLimits, settings: SessionSettings) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const ctx = yield* requestContext
    // A page of another site must not sign the browser in as someone else either.
    if (!originAllowed(request, settings)) return yield* Effect.fail(crossSiteRefused(ctx.instance, ctx.lang))
    const address = Option.getOrElse(request.remoteAddress, () => "unknown")
    const budget = limits.failures.peek(address)
    if (!budget.allowed) {
      retryAfterOf.set(request.source as object, budget.retryAfter)
      return yield* Effect.fail(tooManyRequests(budget.retryAfter, ctx))
    }
    return { request, ctx, address }
  })

type AccountProblem =
  | Api.InvalidInput
  | Api.NotFound
  | Api.InternalError
  | Api.Unavailable
  | Api.TooManyRequests
  | Api.CrossSiteRefused
  | Api.PayloadTooLarge
  | Api.UnsupportedMediaType

/** The account group's handlers; refused attempts spend the address's failure budget. */
export const accountHandlers = (limits: RequestLimits, settings: SessionSettings = defaultSessionSettings) =>
  HttpApiBuilder.group(Api.Api, "account", (handlers) =>
    handlers
      .handle(
        "signIn",
        ({ payload }) =>
          Effect.gen(function* () {
            const { request, ctx, address } = yield* admit(limits, settings)
            const refuse = (
              error: EngineFailure | SignInRefused | InvitationInvalid,
            ): Effect.Effect<never, AnyProblem> =>
              Effect.andThen(
                Effect.sync(() => {
                  if (error._tag === "SignInRefused") limits.failures.take(address)
                }),
                problemOf(ctx, error),
              )
            // With a second factor on, a sign-in without its code is answered 401 `second-factor-required`.
            const opened = yield* Effect.catch(
              signIn(
                {
                  name: payload.name,
                  password: payload.password,
                  ...(payload.code === undefined ? {} : { code: payload.code }),
                },
                { userAgent: request.headers["user-agent"], address },
              ),
              refuse,
            )
            const session = yield* Effect.catch(authenticateSession(opened.secret), refuse)
            const person = yield* Effect.catch(describePrincipal(session.actor), refuse)
            yield* setSessionCookie(opened.secret, cookieSecurityOf(request, settings))
            return { person, csrfToken: csrfTokenFor(opened.secret) }
          }) as Effect.Effect<
            { person: Api.Principal; csrfToken: string },
            AccountProblem | Api.SignInRefused,
            Db | HttpServerRequest.HttpServerRequest
          >,
      )
      .handle(
        "acceptInvitation",
        ({ payload }) =>
          Effect.gen(function* () {
            const { ctx, address } = yield* admit(limits, settings)
            return yield* Effect.catch(
              acceptInvitation(payload.token, payload.password),
              (error): Effect.Effect<never, AnyProblem> =>
                Effect.andThen(
                  Effect.sync(() => {
                    if (error._tag === "InvitationInvalid") limits.failures.take(address)
                  }),
                  problemOf(ctx, error),
                ),
            )
          }) as Effect.Effect<
            { person: string },
            AccountProblem | Api.InvitationInvalid,
            Db | HttpServerRequest.HttpServerRequest
          >,
      ),
  )
