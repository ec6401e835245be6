/**
 * Engine errors as the API's problems, worded in the request's language. A
 * database failure is 503 while the database does not answer, 500 otherwise;
 * a 500 names only a reference to the server's log, never the cause.
 */
import { randomUUID } from "node:crypto"
import * as Api from "@liandong/api"
import {
  type CommandError,
  Log,
  pingIfProvided,
  type SecondFactorRequired,
  type Unauthenticated,
} from "@liandong/engine/runtime"
import { Effect } from "effect"
import type { Language, RequestContext } from "./Language.ts"

/** Where a field lives in the request. */
export type FieldPlace = Api.FieldProblem["in"]

const pick = (text: { zh: string; en: string }, lang: Language) => text[lang]

/** Every engine failure a handler may meet. */
export type EngineFailure = CommandError | Unauthenticated | SecondFactorRequired

/** The answer to a failure nobody expected: logged with a reference, answered as a bare 500. */
export const internalError = (cause: unknown, ctx: RequestContext) =>
  Effect.gen(function* () {
    const reference = randomUUID()
    const log = yield* Effect.serviceOption(Log)
    if (log._tag === "Some") log.value.error({ reference, path: ctx.instance, err: cause }, "request failed")
    else console.error(reference, cause)
    return new Api.InternalError({
      reference,
      instance: ctx.instance,
      detail: ctx.lang === "zh" ? `服务器内部错误,参考编号 ${reference}` : `internal error, reference ${reference}`,
    })
  })

/** The answer while the database does not answer. */
export const unavailable = (ctx: RequestContext) =>
  new Api.Unavailable({
    instance: ctx.instance,
    retryAfter: 5,
    detail: ctx.lang === "zh" ? "数据库暂时无法访问,请稍后重试" : "the database cannot be reached; retry shortly",
  })

/** The answer over a rate limit: come back in `retryAfter` seconds. */
export const tooManyRequests = (retryAfter: number, ctx: RequestContext) =>
  new Api.TooManyRequests({
    instance: ctx.instance,
    retryAfter,
    detail:
      ctx.lang === "zh" ? `请求过于频繁,请 ${retryAfter} 秒后重试` : `too many requests; retry in ${retryAfter} s`,
  })

/** Turns an engine failure into the problem the API answers; `place` is where bad input came from. */
export const toProblem = (error: EngineFailure, ctx: RequestContext, place: FieldPlace = "body") =>
  Effect.gen(function* () {
    const base = { instance: ctx.instance }
    switch (error._tag) {
      case "InvalidInput":
        return new Api.InvalidInput({
          ...base,
          detail: pick(error, ctx.lang),
          errors: error.problems.map((p) => ({
            in: p.path === "cursor" || p.path === "limit" ? "query" : place,
            path: p.path,
            detail: p[ctx.lang],
          })),
        })
      case "NotFound":
        return new Api.NotFound({ ...base, what: error.what, detail: pick(error, ctx.lang) })
      case "NotAllowed":
        return new Api.Forbidden({ ...base, detail: pick(error, ctx.lang) })
      case "InvalidTransition":
        return new Api.StateConflict({ ...base, state: error.state, accepts: error.accepts, detail: error[ctx.lang] })
      case "CampaignState":
        return new Api.StateConflict({ ...base, state: error.status, detail: error[ctx.lang] })
      case "TooLarge":
        return new Api.PayloadTooLarge({ ...base, limit: error.limit, detail: pick(error, ctx.lang) })
      case "IdempotencyConflict":
        return new Api.IdempotencyKeyReused({ ...base, detail: pick(error, ctx.lang) })
      case "Unauthenticated":
        return new Api.Unauthenticated({ ...base, reason: error.reason, detail: pick(error, ctx.lang) })
      case "SecondFactorRequired":
        return new Api.Unauthenticated({ ...base, reason: "second-factor-required", detail: pick(error, ctx.lang) })
      case "StoreError": {
        const answers = yield* pingIfProvided
        return answers ? yield* internalError(error, ctx) : unavailable(ctx)
      }
    }
  })

/**
 * The raw answer to a request Node's HTTP parser refused before any route saw it: 431 for
 * header fields over Node's limit (`--max-http-header-size`, 16 KiB by default), 400 for a
 * request that is not HTTP. Its headers were never parsed, so it cannot choose a language:
 * the detail carries both. The connection closes after it.
 */
export const clientErrorAnswer = (code: string | undefined): string => {
  const tooLarge = code === "HPE_HEADER_OVERFLOW"
  const body = JSON.stringify(
    tooLarge
      ? {
          type: "urn:liandong:problem:header-too-large",
          title: "请求头过大 / Request header fields too large",
          status: 431,
          detail:
            "请求头超过服务器的上限,请缩短 Cookie 或其他请求头 / the request's header fields exceed the server's limit",
        }
      : {
          type: "urn:liandong:problem:invalid-input",
          title: "输入有误 / Invalid input",
          status: 400,
          detail: "无法解析的 HTTP 请求 / the request is not valid HTTP",
          errors: [],
        },
  )
  const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"
  return [
    `HTTP/1.1 ${status}`,
    "Content-Type: application/problem+json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "X-Content-Type-Options: nosniff",
    "Connection: close",
    "",
    body,
  ].join("\r\n")
}
