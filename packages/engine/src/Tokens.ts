/**
 * API tokens. A token reads `ld_<id>_<secret>`; the database keeps the id and
 * the SHA-256 of the secret, never the secret. Authentication turns a token
 * into the Actor of its principal, so the API authorizes exactly as the CLI
 * does; an identity provider (OIDC) can later map its users onto the same
 * principals without the engine changing. Expiry and revocation are measured
 * on the wall clock, never on the campaign clock a simulated calendar moves.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { Effect, Schema } from "effect"
import type { Actor } from "./Actor.ts"
import { wallNow } from "./Clock.ts"
import { query } from "./Db.ts"
import { InvalidInput, NotAllowed, NotFound } from "./Errors.ts"
import { principalExists } from "./sql/Directory.ts"
import { insertToken, markTokenUsed, revokeTokenRow, selectTokenForAuthentication, selectTokens } from "./sql/Tokens.ts"

/** A request without a usable token. */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  reason: Schema.Literals(["missing", "malformed", "unknown", "expired", "revoked", "disabled"]),
}) {
  static readonly texts = {
    missing: ["缺少访问令牌", "no token was given"],
    malformed: ["访问令牌格式不正确", "the token is malformed"],
    unknown: ["访问令牌无效", "the token is not valid"],
    expired: ["访问令牌已过期", "the token has expired"],
    revoked: ["访问令牌已被吊销", "the token has been revoked"],
    disabled: ["该用户已停用", "the principal is disabled"],
  } as const
  get zh(): string {
    return Unauthenticated.texts[this.reason][0]
  }
  get en(): string {
    return Unauthenticated.texts[this.reason][1]
  }
}

const digest = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex")
const tokenPattern = /^ld_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

const requireOperator = (actor: Actor, action: string) =>
  actor.kind === "operator"
    ? Effect.void
    : Effect.fail(
        new NotAllowed({
          actor: actor.id,
          action,
          zh: "只有系统管理员可以管理访问令牌",
          en: "only the operator manages tokens",
        }),
      )

/** Creates a token for a principal; the returned `token` is shown once and never stored. */
export const createToken = (
  principalId: string,
  options: { label?: string | undefined; expiresInDays?: number | undefined },
  actor: Actor,
) =>
  Effect.gen(function* () {
    yield* requireOperator(actor, "token.create")
    if (
      options.expiresInDays !== undefined &&
      !(Number.isInteger(options.expiresInDays) && options.expiresInDays > 0)
    ) {
      return yield* new InvalidInput({
        problems: [{ path: "expiresInDays", zh: "有效天数须为正整数", en: "must be a positive whole number of days" }],
      })
    }
    const principal = yield* query("token.principal", (db) => principalExists(db, principalId))
    if (!principal) return yield* new NotFound({ what: "principal", ref: principalId })
    const now = yield* wallNow
    const id = randomBytes(6).toString("hex")
    const secret = randomBytes(32).toString("base64url")
    const expiresAt =
      options.expiresInDays === undefined ? null : new Date(now.getTime() + options.expiresInDays * 86_400_000)
    yield* query("token.insert", (db) =>
      insertToken(db, {
        id,
        principal: principalId,
        secretHash: digest(secret),
        label: options.label ?? null,
        expiresAt,
      }),
    )
    return { id, principal: principalId, token: `ld_${id}_${secret}`, expiresAt }
  })

/** Revokes a token at once. */
export const revokeToken = (id: string, actor: Actor) =>
  Effect.gen(function* () {
    yield* requireOperator(actor, "token.revoke")
    const now = yield* wallNow
    const revoked = yield* query("token.revoke", (db) => revokeTokenRow(db, id, now))
    if (!revoked) return yield* new NotFound({ what: "token", ref: id })
    return { id, revokedAt: now }
  })

/** Lists tokens (never their secrets). */
export const listTokens = (actor: Actor) =>
  Effect.gen(function* () {
    yield* requireOperator(actor, "token.list")
    return yield* query("token.list", selectTokens)
  })

/** The actor a bearer token stands for, or why it stands for nobody. */
export const authenticate = (token: string | undefined) =>
  Effect.gen(function* () {
    if (token === undefined || token === "") return yield* new Unauthenticated({ reason: "missing" })
    const match = tokenPattern.exec(token)
    if (match === null) return yield* new Unauthenticated({ reason: "malformed" })
    const [, id, secret] = match as unknown as [string, string, string]
    const row = yield* query("token.find", (db) => selectTokenForAuthentication(db, id))
    const expected = Buffer.from(row?.secret_hash ?? "0".repeat(64), "hex")
    const given = Buffer.from(digest(secret), "hex")
    // Compare in constant time, also for unknown ids, so timing tells nothing.
    if (!timingSafeEqual(expected, given) || row === undefined) return yield* new Unauthenticated({ reason: "unknown" })
    if (row.revoked_at !== null) return yield* new Unauthenticated({ reason: "revoked" })
    const now = yield* wallNow
    if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now.getTime()) {
      return yield* new Unauthenticated({ reason: "expired" })
    }
    if (row.disabled_at !== null) return yield* new Unauthenticated({ reason: "disabled" })
    yield* query("token.used", (db) => markTokenUsed(db, id, now))
    return { kind: "principal", id: row.id, role: row.role, unit: row.unit_key } satisfies Actor as Actor
  })
