/** What every handler does: act as the token's principal, and answer engine failures as problems. */
import type * as Api from "@liandong/api"
import { CurrentPrincipal } from "@liandong/api"
import type { Actor } from "@liandong/engine/runtime"
import { Effect, Option } from "effect"
import type { HttpServerRequest } from "effect/http"
import { requestContext } from "./Language.ts"
import { LiveHub } from "./LiveHub.ts"
import { type EngineFailure, type FieldPlace, toProblem } from "./Problems.ts"

/** The engine actor of the request: the principal of its token, nothing else. */
export const currentActor: Effect.Effect<Actor, never, CurrentPrincipal> = Effect.map(
  Effect.service(CurrentPrincipal),
  (principal): Actor => ({ kind: "principal", id: principal.id, role: principal.role, unit: principal.unit }),
)

/** The problems a read (GET) answers. */
export type ReadProblem = (typeof Api.readProblems)[number]["Type"]

/** The problems a change (POST) answers. */
export type WriteProblem = (typeof Api.writeProblems)[number]["Type"]

/**
 * Runs an engine effect, failing with the problem that answers its failure. Typed as the
 * problems of a read; an engine read fails with nothing else (any problem still renders).
 */
export const answer = <A, R>(effect: Effect.Effect<A, EngineFailure, R>, place: FieldPlace = "body") =>
  Effect.catch(effect, (error) =>
    Effect.flatMap(requestContext, (ctx) => Effect.flatMap(toProblem(error, ctx, place), Effect.fail)),
  ) as Effect.Effect<A, ReadProblem, R | HttpServerRequest.HttpServerRequest>

/**
 * Like `answer`, for a command: its failures are the problems of a change. Once it is done the
 * live hub looks at once, so the streams watching hear of it without waiting for the interval.
 */
export const answerChange = <A, R>(effect: Effect.Effect<A, EngineFailure, R>, place: FieldPlace = "body") =>
  answer(effect, place).pipe(
    Effect.tap(() =>
      Effect.flatMap(Effect.serviceOption(LiveHub), (hub) => (Option.isSome(hub) ? hub.value.poke : Effect.void)),
    ),
  ) as Effect.Effect<A, WriteProblem, R | HttpServerRequest.HttpServerRequest>
