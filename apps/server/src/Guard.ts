/**
 * What wraps every request, before and after the API: the body limit (413
 * from Content-Length, before anything is read), the per-address rate limits
 * (429 with Retry-After: requests without a token, and an address out of its
 * budget of failed authentications, before the database is asked; the
 * per-principal limit is the bearer middleware's, after authentication), the web UI for paths outside the API, and the last
 * word on failures — every error leaves as an RFC 9457 problem, and nothing
 * unexpected leaks: a defect is logged and answered as a bare 500.
 */
import * as Api from "@liandong/api"
import { Log } from "@liandong/engine/runtime"
import { issueProblems } from "@liandong/workflow"
import { ByteSize, Cause, Effect, Option } from "effect"
import {
  HttpIncomingMessage,
  HttpServerError,
  HttpServerRequest,
  HttpServerRespondable,
  HttpServerResponse,
} from "effect/http"
import { HttpApiError } from "effect/http-api"
import { contextOf, type RequestContext } from "./Language.ts"
import { internalError, tooManyRequests } from "./Problems.ts"
import { type RateDecision, type RequestLimits, retryAfterOf } from "./RateLimit.ts"
import { sessionSecretOf } from "./SessionCookie.ts"
import { webUiResponse } from "./WebUi.ts"

/** What the guard needs to know. */
export interface GuardOptions {
  readonly bodyLimit: number
  /** the limit of an uploaded file (POST …/attachments), read as a stream under it */
  readonly attachmentLimit?: number
  readonly limits: RequestLimits
  readonly webDist: string | null
}

const slots = { Params: "path", Query: "query", Headers: "header", Payload: "body" } as const

/** A request that did not decode, as a 400 naming each bad field. */
const invalidInput = (error: HttpApiError.HttpApiSchemaError, ctx: RequestContext) => {
  const place = slots[error.kind as keyof typeof slots] ?? "body"
  const errors = issueProblems(error.cause.issue).map((p) => {
    const notJson = p.en === "Expected a valid JSON body"
    return {
      in: place,
      path: p.path,
      detail: notJson ? (ctx.lang === "zh" ? "请求体不是有效的 JSON" : "the body is not valid JSON") : p[ctx.lang],
    }
  })
  const where = (e: (typeof errors)[number]) => (e.path === "" ? e.detail : `${e.path}: ${e.detail}`)
  return new Api.InvalidInput({
    instance: ctx.instance,
    detail: errors.map(where).join(ctx.lang === "zh" ? ";" : "; "),
    errors,
  })
}

const tooLarge = (limit: number, ctx: RequestContext) =>
  new Api.PayloadTooLarge({
    instance: ctx.instance,
    limit,
    detail:
      ctx.lang === "zh"
        ? `请求体超过 ${limit} 字节的上限`
        : `the request body is larger than the limit of ${limit} bytes`,
  })

const isProblem = (u: unknown): u is HttpServerRespondable.Respondable =>
  u instanceof Error && HttpServerRespondable.isRespondable(u) && "type" in u && "status" in u

/** The response for whatever escaped the API, or undefined to let an interruption be. */
const fromCause = (cause: Cause.Cause<unknown>, request: HttpServerRequest.HttpServerRequest, options: GuardOptions) =>
  Effect.gen(function* () {
    const ctx = contextOf(request)
    if (Cause.hasInterruptsOnly(cause)) return yield* Effect.failCause(cause)
    const failure = Option.getOrUndefined(Cause.findErrorOption(cause)) ?? Cause.squash(cause)
    if (isProblem(failure)) return yield* HttpServerRespondable.toResponse(failure)
    if (HttpApiError.HttpApiSchemaError.is(failure) && failure.kind in slots) {
      return yield* HttpServerRespondable.toResponse(invalidInput(failure, ctx))
    }
    if (HttpApiError.HttpApiPayloadTooLarge.is(failure)) {
      return yield* HttpServerRespondable.toResponse(tooLarge(options.bodyLimit, ctx))
    }
    if (failure instanceof HttpServerError.HttpServerError) {
      const reason = failure.reason
      if (reason._tag === "RouteNotFound") {
        const isGet = request.method === "GET" || request.method === "HEAD"
        if (isGet && !ctx.instance.startsWith("/api/")) {
          const page = yield* webUiResponse(options.webDist, ctx.instance, request.headers["accept-encoding"] ?? "")
          if (page !== undefined) return page
        }
        return yield* HttpServerRespondable.toResponse(
          new Api.NotFound({
            instance: ctx.instance,
            what: "route",
            detail:
              ctx.lang === "zh"
                ? `没有 ${request.method} ${ctx.instance} 这个接口`
                : `no route for ${request.method} ${ctx.instance}`,
          }),
        )
      }
      if (reason._tag === "RequestParseError" && reason.reason === "BodyTooLarge") {
        return yield* HttpServerRespondable.toResponse(tooLarge(options.bodyLimit, ctx))
      }
      if (reason._tag === "RequestParseError") {
        return yield* HttpServerRespondable.toResponse(
          new Api.InvalidInput({
            instance: ctx.instance,
            detail: ctx.lang === "zh" ? "无法读取请求体" : "the request body could not be read",
            errors: [{ in: "body", path: "", detail: ctx.lang === "zh" ? "无法读取请求体" : "unreadable body" }],
          }),
        )
      }
    }
    return yield* HttpServerRespondable.toResponse(yield* internalError(Cause.pretty(cause), ctx))
  })

// Responses the API builds itself without a problem body (an unsupported content type) get one.
const asProblem = (response: HttpServerResponse.HttpServerResponse, ctx: RequestContext) =>
  response.status === 415
    ? HttpServerRespondable.toResponse(
        new Api.UnsupportedMediaType({
          instance: ctx.instance,
          detail:
            ctx.lang === "zh"
              ? "请求体须为 JSON(Content-Type: application/json)"
              : "the body must be JSON (Content-Type: application/json)",
        }),
      )
    : Effect.succeed(response)

const finish = (response: HttpServerResponse.HttpServerResponse, request: HttpServerRequest.HttpServerRequest) => {
  let out = HttpServerResponse.setHeaders(response, {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  })
  if (response.status === 401) out = HttpServerResponse.setHeader(out, "www-authenticate", 'Bearer realm="liandong"')
  if (response.status === 503) out = HttpServerResponse.setHeader(out, "retry-after", "5")
  // A body refused part-way is not read to its end: the connection cannot carry another request.
  if (response.status === 413) out = HttpServerResponse.setHeader(out, "connection", "close")
  const retryAfter = retryAfterOf.get(request.source as object)
  if (response.status === 429 && retryAfter !== undefined && response.headers["retry-after"] === undefined)
    out = HttpServerResponse.setHeader(out, "retry-after", String(retryAfter))
  return out
}

const isUpload = (path: string) => /^\/api\/v1\/campaigns\/[^/]+\/units\/[^/]+\/tasks\/[^/]+\/attachments$/.test(path)

const isSystem = (path: string) => path === "/healthz" || path === "/readyz"

const decodesStrictly = (part: string) => {
  try {
    decodeURIComponent(part.replaceAll("+", " "))
    return true
  } catch {
    return false
  }
}

/**
 * The query parameters whose percent-encoding is not UTF-8 (an encoded lone surrogate, a stray
 * byte): refused by name, not decoded into replacement characters and answered as if valid.
 * (Path parameters are decoded strictly by the router and refused by their schemas.)
 */
const undecodable = (url: string): Array<{ in: "query"; path: string }> => {
  const query = url.split("?", 2)[1] ?? ""
  const bad: Array<{ in: "query"; path: string }> = []
  for (const pair of query.split("&")) {
    if (pair === "") continue
    const [name = "", value = ""] = pair.split("=", 2)
    if (!decodesStrictly(name) || !decodesStrictly(value))
      bad.push({ in: "query", path: decodesStrictly(name) ? decodeURIComponent(name) : "" })
  }
  return bad
}

const notUtf8 = (bad: ReturnType<typeof undecodable>, ctx: RequestContext) => {
  const detail =
    ctx.lang === "zh"
      ? "含有不允许的字符(不是有效的 UTF-8 编码,如不成对的代理项)"
      : "contains characters that are not allowed (not valid UTF-8, e.g. a lone surrogate)"
  return new Api.InvalidInput({
    instance: ctx.instance,
    detail: bad.map((b) => (b.path === "" ? detail : `${b.path}: ${detail}`)).join(ctx.lang === "zh" ? ";" : "; "),
    errors: bad.map((b) => ({ ...b, detail })),
  })
}

/**
 * The address limits, before anything runs: a request without a token spends its address's
 * budget; an API request from an address out of its budget of failed authentications is
 * refused before its token is looked up. A token's own requests count after authentication.
 */
const addressDecision = (
  request: HttpServerRequest.HttpServerRequest,
  path: string,
  limits: RequestLimits,
): RateDecision => {
  if (isSystem(path)) return { allowed: true }
  const address = Option.getOrElse(request.remoteAddress, () => "unknown")
  if (path.startsWith("/api/")) {
    const failures = limits.failures.peek(address)
    if (!failures.allowed) return failures
    // A token or a session cookie is counted against its principal once authenticated.
    if (request.headers.authorization !== undefined || sessionSecretOf(request.cookies) !== undefined) {
      return { allowed: true }
    }
  }
  return limits.addresses.take(address)
}

/** The middleware for HttpRouter.serve. */
export const guard =
  (options: GuardOptions) =>
  <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const ctx = contextOf(request)
      const started = performance.now()
      const length = Number(request.headers["content-length"] ?? "0")
      // An upload streams under its own, larger limit (enforced again while it is read).
      const upload = request.method === "POST" && isUpload(ctx.instance)
      const bodyLimit = upload ? (options.attachmentLimit ?? options.bodyLimit) : options.bodyLimit
      let response: HttpServerResponse.HttpServerResponse
      const bad = undecodable(request.url)
      if (bad.length > 0) {
        response = yield* HttpServerRespondable.toResponse(notUtf8(bad, ctx))
      } else if (Number.isFinite(length) && length > bodyLimit) {
        response = yield* HttpServerRespondable.toResponse(tooLarge(bodyLimit, ctx))
        response = HttpServerResponse.setHeader(response, "connection", "close")
      } else {
        const decision = addressDecision(request, ctx.instance, options.limits)
        if (!decision.allowed) {
          response = yield* HttpServerRespondable.toResponse(tooManyRequests(decision.retryAfter, ctx))
          response = HttpServerResponse.setHeader(response, "retry-after", String(decision.retryAfter))
        } else {
          response = yield* app.pipe(
            Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(options.bodyLimit)),
            Effect.flatMap((r) => asProblem(r, ctx)),
            Effect.catchCause((cause) => fromCause(cause, request, options)),
          )
        }
      }
      const log = yield* Effect.serviceOption(Log)
      if (log._tag === "Some" && !isSystem(ctx.instance)) {
        log.value.info(
          {
            method: request.method,
            path: ctx.instance,
            status: response.status,
            ms: Math.round(performance.now() - started),
          },
          "request",
        )
      }
      return finish(response, request)
    })
