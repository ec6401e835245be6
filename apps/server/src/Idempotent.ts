/**
 * Idempotency-Key for every POST, across every server process: the key is
 * claimed in the database before the request runs; the same key with the
 * same request replays the stored answer, with another request it is 422,
 * while the first still runs it is 409. Only successful answers are stored:
 * after a failure the key is released and a retry runs again. The key also
 * reaches the engine command, whose own record of it survives a crash between
 * the command's commit and the storing of the answer.
 */
import * as Api from "@liandong/api"
import { CurrentPrincipal } from "@liandong/api"
import { claimRequest, completeRequest, releaseRequest } from "@liandong/engine/commands"
import type { Db, StoreError } from "@liandong/engine/runtime"
import { canonicalJson, sha256Hex } from "@liandong/workflow"
import { Effect, Exit } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { pathOf, requestContext } from "./Language.ts"
import { toProblem } from "./Problems.ts"

const storeProblem = <A, R>(effect: Effect.Effect<A, StoreError, R>) =>
  Effect.catch(effect, (error) =>
    Effect.flatMap(requestContext, (ctx) => Effect.flatMap(toProblem(error, ctx), Effect.fail)),
  )

/**
 * Runs `run` once per (principal, key): `run` receives the key to pass on to the engine.
 * `kept` is what the record keeps of the answer, and a replay answers (default: all of it):
 * an answer holding a secret shown once keeps it without.
 */
export const idempotent = <A, E, R>(
  key: string | undefined,
  payload: unknown,
  run: (key: string | null) => Effect.Effect<A, E, R>,
  kept: (answer: A) => unknown = (answer) => answer,
) =>
  Effect.gen(function* () {
    if (key === undefined) return yield* run(null)
    const principal = yield* Effect.service(CurrentPrincipal)
    const request = yield* Effect.service(HttpServerRequest.HttpServerRequest)
    const hash = sha256Hex(
      canonicalJson({ method: request.method, path: pathOf(request.url), payload: payload ?? null }),
    )
    const claim = yield* storeProblem(claimRequest(principal.id, key, hash))
    const ctx = yield* requestContext
    switch (claim.kind) {
      case "replay": {
        const body =
          typeof claim.body === "object" && claim.body !== null && "replayed" in claim.body
            ? { ...claim.body, replayed: true }
            : claim.body
        return HttpServerResponse.jsonUnsafe(body, {
          status: claim.status,
          headers: { "idempotent-replayed": "true" },
        })
      }
      case "reused":
        return yield* new Api.IdempotencyKeyReused({
          instance: ctx.instance,
          detail:
            ctx.lang === "zh"
              ? `幂等键“${key}”已用于另一个不同的请求`
              : `idempotency key "${key}" was already used for a different request`,
        })
      case "in-flight":
        return yield* new Api.IdempotencyInFlight({
          instance: ctx.instance,
          detail:
            ctx.lang === "zh"
              ? `使用幂等键“${key}”的请求仍在处理中,请稍后重试`
              : `a request with idempotency key "${key}" is still being processed; retry shortly`,
        })
    }
    const exit = yield* Effect.exit(run(key))
    if (Exit.isSuccess(exit)) {
      yield* storeProblem(completeRequest(principal.id, key, 200, kept(exit.value)))
      return exit.value
    }
    yield* Effect.ignore(releaseRequest(principal.id, key))
    return yield* exit
  }) as Effect.Effect<
    A | HttpServerResponse.HttpServerResponse,
    E | Api.IdempotencyKeyReused | Api.IdempotencyInFlight | Api.InternalError | Api.Unavailable,
    R | CurrentPrincipal | HttpServerRequest.HttpServerRequest | Db
  >
