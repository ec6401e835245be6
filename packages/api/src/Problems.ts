/**
 * Every error the API answers, as RFC 9457 problems (`application/problem+json`).
 * `type` names the kind of problem; `title` is fixed and bilingual; `detail`
 * is in Chinese or English by the request's Accept-Language; `instance` is the
 * request path. A bad request lists each bad field in `errors`.
 */
import { Schema } from "effect"
import { HttpApiError } from "effect/http-api"

const type = (name: string) => `urn:liandong:problem:${name}` as const

/** One bad field: where it was (`in`), its path inside that part, and why. */
export const FieldProblem = Schema.Struct({
  in: Schema.Literals(["path", "query", "header", "body"]),
  path: Schema.String,
  detail: Schema.String,
})
export type FieldProblem = typeof FieldProblem.Type

/** 400: the request did not decode; `errors` names each bad field. */
export class InvalidInput extends HttpApiError.Problem<InvalidInput>()(
  "InvalidInput",
  { type: type("invalid-input"), status: 400, title: "输入有误 / Invalid input" },
  { errors: Schema.Array(FieldProblem) },
) {}

/**
 * 401: no usable bearer token or session (missing, malformed, unknown, expired, revoked,
 * disabled), or a sign-in that needs the person's one-time code (`second-factor-required`).
 */
export class Unauthenticated extends HttpApiError.Problem<Unauthenticated>()(
  "Unauthenticated",
  { type: type("unauthenticated"), status: 401, title: "未认证 / Not authenticated" },
  {
    reason: Schema.Literals([
      "missing",
      "malformed",
      "unknown",
      "expired",
      "revoked",
      "disabled",
      "second-factor-required",
    ]),
  },
) {}

/** 403: the principal may see the object but its role does not allow the action (journaled). */
export class Forbidden extends HttpApiError.Problem<Forbidden>()("Forbidden", {
  type: type("forbidden"),
  status: 403,
  title: "无权操作 / Forbidden",
}) {}

/** 403: a write with the session cookie but without its CSRF token, or from another site's page. */
export class CrossSiteRefused extends HttpApiError.Problem<CrossSiteRefused>()("CrossSiteRefused", {
  type: type("cross-site"),
  status: 403,
  title: "跨站请求被拒绝 / Cross-site request refused",
}) {}

/** 401: the name or the password is wrong, or the person is locked out: one answer for all. */
export class SignInRefused extends HttpApiError.Problem<SignInRefused>()("SignInRefused", {
  type: type("sign-in-refused"),
  status: 401,
  title: "登录名或密码不正确 / Wrong name or password",
}) {}

/** 410: the invitation link is unknown, used, replaced or expired: one answer for all. */
export class InvitationInvalid extends HttpApiError.Problem<InvitationInvalid>()("InvitationInvalid", {
  type: type("invitation-invalid"),
  status: 410,
  title: "邀请链接无效或已过期 / Invitation not valid",
}) {}

/** 404: no such object — or one the principal may not know exists. */
export class NotFound extends HttpApiError.Problem<NotFound>()(
  "NotFound",
  { type: type("not-found"), status: 404, title: "未找到 / Not found" },
  {
    what: Schema.optional(
      Schema.Literals([
        "campaign",
        "unit",
        "phase",
        "task",
        "report",
        "principal",
        "summary",
        "definition",
        "token",
        "attachment",
        "route",
      ]),
    ),
  },
) {}

/** 409: the object's state does not accept the action (e.g. approving a report already approved). */
export class StateConflict extends HttpApiError.Problem<StateConflict>()(
  "StateConflict",
  { type: type("state-conflict"), status: 409, title: "状态不允许此操作 / Not allowed in this state" },
  { state: Schema.optional(Schema.String), accepts: Schema.optional(Schema.Array(Schema.String)) },
) {}

/** 409: a request with this Idempotency-Key is still being processed; retry after it finishes. */
export class IdempotencyInFlight extends HttpApiError.Problem<IdempotencyInFlight>()("IdempotencyInFlight", {
  type: type("idempotency-in-flight"),
  status: 409,
  title: "相同幂等键的请求正在处理 / A request with this key is in flight",
}) {}

/** 413: the body is larger than the server accepts; nothing was read or parsed. */
export class PayloadTooLarge extends HttpApiError.Problem<PayloadTooLarge>()(
  "PayloadTooLarge",
  { type: type("payload-too-large"), status: 413, title: "请求体过大 / Payload too large" },
  { limit: Schema.Int },
) {}

/** 415: the body is not JSON (send `Content-Type: application/json`). */
export class UnsupportedMediaType extends HttpApiError.Problem<UnsupportedMediaType>()("UnsupportedMediaType", {
  type: type("unsupported-media-type"),
  status: 415,
  title: "不支持的请求体类型 / Unsupported media type",
}) {}

/** 422: the Idempotency-Key was used before with a different request. */
export class IdempotencyKeyReused extends HttpApiError.Problem<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  type: type("idempotency-key-reused"),
  status: 422,
  title: "幂等键已用于其他请求 / Idempotency key reused",
}) {}

/** 429: too many requests for this token; `retryAfter` (and the Retry-After header) says when to retry, in seconds. */
export class TooManyRequests extends HttpApiError.Problem<TooManyRequests>()(
  "TooManyRequests",
  { type: type("rate-limited"), status: 429, title: "请求过于频繁 / Too many requests" },
  { retryAfter: Schema.Int },
) {}

/** 500: something failed inside the server; the detail never says what (it is in the server's log). */
export class InternalError extends HttpApiError.Problem<InternalError>()(
  "InternalError",
  { type: type("internal"), status: 500, title: "服务器内部错误 / Internal server error" },
  { reference: Schema.optional(Schema.String) },
) {}

/** 503: the database cannot be reached; retry later (the server recovers by itself). */
export class Unavailable extends HttpApiError.Problem<Unavailable>()(
  "Unavailable",
  { type: type("unavailable"), status: 503, title: "服务暂不可用 / Service unavailable" },
  { retryAfter: Schema.optional(Schema.Int) },
) {}

/** The problems any endpoint may answer. */
export const commonProblems = [InvalidInput, NotFound, InternalError, Unavailable] as const

/** The problems of an endpoint that reads (GET). */
export const readProblems = [...commonProblems, Forbidden] as const

/** The problems of an endpoint that changes something (POST). */
export const writeProblems = [
  ...commonProblems,
  Forbidden,
  StateConflict,
  IdempotencyInFlight,
  IdempotencyKeyReused,
  PayloadTooLarge,
  UnsupportedMediaType,
] as const
