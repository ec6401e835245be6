/**
 * Single sign-on through an organisation's OpenID Connect provider: `GET /auth/oidc/start`
 * sends the browser to the provider (authorization code flow with PKCE, state and nonce),
 * `GET /auth/oidc/callback` checks what comes back, names the person by one of the ID
 * token's claims, opens an engine session and sets the session cookie (SessionCookie.ts),
 * then sends the browser to `/`. `GET /auth/oidc` says whether it is on. Off unless
 * `LIANDONG_OIDC_ISSUER` is set. State, nonce and PKCE verifier travel in a short-lived
 * HttpOnly cookie, so any server instance can finish a sign-in another began.
 */
import { timingSafeEqual } from "node:crypto"
import { type EngineServices, type IdentityMatch, Log, signInWithIdentity } from "@liandong/engine/runtime"
import { SettingInvalid, settingOrFile } from "@liandong/store"
import { issueProblems } from "@liandong/workflow"
import { Effect, Layer, Option, Schema } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import * as client from "openid-client"
import { languageOf } from "./Language.ts"
import { type CookieSecurity, clearedCookieOptions, sessionCookieName, sessionCookieOptions } from "./SessionCookie.ts"

/** Single sign-on's settings. */
export interface OidcSettings {
  readonly issuer: URL
  readonly clientId: string
  readonly clientSecret: string
  /** where browsers reach this server; the redirect URI is `<base>/auth/oidc/callback` */
  readonly publicUrl: URL
  /** the ID token's claim that names the person… */
  readonly claim: string
  /** …matched against the principal id or the e-mail address */
  readonly match: IdentityMatch
  readonly scopes: string
  /** seconds of clock difference with the provider tolerated on the ID token's times */
  readonly clockTolerance: number
}

const HttpUrl = Schema.String.check(
  Schema.makeFilter((s: string) => URL.canParse(s) && /^https?:$/u.test(new URL(s).protocol), {
    message: "须为 http(s):// 地址 / must be an http(s):// URL",
  }),
)

const Env = Schema.Struct({
  LIANDONG_OIDC_ISSUER: HttpUrl,
  LIANDONG_OIDC_CLIENT_ID: Schema.NonEmptyString,
  LIANDONG_OIDC_CLIENT_SECRET: Schema.NonEmptyString,
  LIANDONG_PUBLIC_URL: HttpUrl,
  LIANDONG_OIDC_CLAIM: Schema.optional(
    Schema.String.check(
      Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/u, { message: "须为声明名称 / must be a claim name" }),
    ),
  ),
  LIANDONG_OIDC_MATCH: Schema.optional(Schema.Literals(["principal", "email"])),
  LIANDONG_OIDC_SCOPES: Schema.optional(
    Schema.String.check(Schema.isPattern(/(^|\s)openid(\s|$)/u, { message: "须包含 openid / must include openid" })),
  ),
  LIANDONG_OIDC_CLOCK_TOLERANCE: Schema.optional(
    Schema.NumberFromString.check(
      Schema.isInt({ message: "须为整数 / must be a whole number" }),
      Schema.isBetween({ minimum: 0, maximum: 300 }, { message: "须在 0 到 300 之间 / must be 0 to 300" }),
    ),
  ),
})

/**
 * Single sign-on's settings from the environment, or undefined when `LIANDONG_OIDC_ISSUER` is
 * not set; throws naming each bad or missing variable, in Chinese and English.
 */
export const oidcSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): OidcSettings | undefined => {
  if (!env.LIANDONG_OIDC_ISSUER) return undefined
  let secret: string | undefined
  try {
    secret = settingOrFile(env, "LIANDONG_OIDC_CLIENT_SECRET")
  } catch (error) {
    if (error instanceof SettingInvalid)
      throw new Error(`环境变量有误 / bad environment: ${error.variable}: ${error.zh} / ${error.en}`)
    throw error
  }
  const picked = Object.fromEntries(Object.keys(Env.fields).flatMap((key) => (env[key] ? [[key, env[key]]] : [])))
  const decoded = Schema.decodeUnknownExit(Env)(
    { ...picked, ...(secret === undefined ? {} : { LIANDONG_OIDC_CLIENT_SECRET: secret }) },
    { errors: "all" },
  )
  if (decoded._tag === "Failure") {
    const failure = decoded.cause.reasons.find((r) => r._tag === "Fail")
    const problems =
      failure !== undefined && Schema.isSchemaError(failure.error) ? issueProblems(failure.error.issue) : []
    // A missing secret is named without its value; no value is ever echoed.
    throw new Error(`环境变量有误 / bad environment: ${problems.map((p) => `${p.path}: ${p.zh} / ${p.en}`).join("; ")}`)
  }
  const v = decoded.value
  const claim = v.LIANDONG_OIDC_CLAIM ?? "preferred_username"
  return {
    issuer: new URL(v.LIANDONG_OIDC_ISSUER),
    clientId: v.LIANDONG_OIDC_CLIENT_ID,
    clientSecret: v.LIANDONG_OIDC_CLIENT_SECRET,
    publicUrl: new URL(v.LIANDONG_PUBLIC_URL),
    claim,
    match: v.LIANDONG_OIDC_MATCH ?? (claim === "email" ? "email" : "principal"),
    scopes: v.LIANDONG_OIDC_SCOPES ?? "openid profile email",
    clockTolerance: v.LIANDONG_OIDC_CLOCK_TOLERANCE ?? 30,
  }
}

/** The redirect URI to register at the provider. */
export const redirectUri = (settings: OidcSettings): string => new URL("/auth/oidc/callback", settings.publicUrl).href

/** How long a browser has to come back from the provider. */
const pendingSeconds = 600

const pendingCookie = (security: CookieSecurity) => (security === "secure" ? "__Host-liandong_oidc" : "liandong_oidc")

const Pending = Schema.fromJsonString(
  Schema.Struct({ state: Schema.String, nonce: Schema.String, verifier: Schema.String }),
)

/** One provider's discovered configuration, fetched on first use and again after a failure. */
const discovery = (settings: OidcSettings) => {
  let found: Promise<client.Configuration> | undefined
  return (): Promise<client.Configuration> => {
    found ??= client
      .discovery(
        settings.issuer,
        settings.clientId,
        { client_secret: settings.clientSecret, [client.clockTolerance]: settings.clockTolerance },
        client.ClientSecretPost(settings.clientSecret),
        settings.issuer.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        found = undefined
        throw error
      })
    return found
  }
}

type Failure = "unavailable" | "state" | "cancelled" | "provider" | "claim" | "refused"

const failureText: Record<Failure, { status: number; zh: string; en: string }> = {
  unavailable: {
    status: 502,
    zh: "暂时无法连接统一身份认证服务,请稍后重试",
    en: "the organisation's sign-in service cannot be reached; try again shortly",
  },
  state: {
    status: 400,
    zh: "登录请求已过期或不完整,请重新登录",
    en: "the sign-in request has expired or is incomplete; sign in again",
  },
  cancelled: {
    status: 400,
    zh: "登录已取消,或统一身份认证服务拒绝了登录",
    en: "the sign-in was cancelled, or refused by the organisation's sign-in service",
  },
  provider: {
    status: 400,
    zh: "统一身份认证服务的应答无效,请重新登录",
    en: "the organisation's sign-in service gave an answer that is not valid; sign in again",
  },
  claim: {
    status: 401,
    zh: "统一身份认证服务未提供用于识别人员的信息,请联系管理员",
    en: "the organisation's sign-in service did not say who you are here; ask your administrator",
  },
  refused: {
    status: 401,
    zh: "此账号在本系统中没有可用的人员,请联系管理员",
    en: "this account has no person here who may sign in; ask your administrator",
  },
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`)

/** A failed sign-in as a page for the browser, in the request's language first, both always. */
const failurePage = (failure: Failure, security: CookieSecurity, accept: string | undefined) => {
  const text = failureText[failure]
  const [first, second] = languageOf(accept) === "en" ? [text.en, text.zh] : [text.zh, text.en]
  const body = `<!doctype html><html lang="${languageOf(accept) === "en" ? "en" : "zh-CN"}"><meta charset="utf-8"><title>登录失败 / Sign-in failed</title><main><h1>登录失败 / Sign-in failed</h1><p>${escapeHtml(first)}</p><p>${escapeHtml(second)}</p><p><a href="/">返回登录页 / Back to sign-in</a></p></main></html>`
  return HttpServerResponse.text(body, { status: text.status, contentType: "text/html; charset=utf-8" }).pipe(
    HttpServerResponse.setCookieUnsafe(pendingCookie(security), "", clearedCookieOptions(security)),
    HttpServerResponse.setHeader("cache-control", "no-store"),
  )
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const addressOf = (request: HttpServerRequest.HttpServerRequest) => Option.getOrUndefined(request.remoteAddress)

/** The routes of single sign-on, answering as off when `settings` is undefined. */
export const oidcRoutes = (settings: OidcSettings | undefined) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const services = yield* Effect.context<EngineServices>()
      const status = HttpRouter.add(
        "GET",
        "/auth/oidc",
        HttpServerResponse.jsonUnsafe({ enabled: settings !== undefined }),
      )
      if (settings === undefined) return status
      const security: CookieSecurity = settings.publicUrl.protocol === "https:" ? "secure" : "insecure"
      const configuration = discovery(settings)
      const callback = redirectUri(settings)

      const start = Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const config = yield* Effect.tryPromise(configuration).pipe(Effect.option)
        if (Option.isNone(config)) return failurePage("unavailable", security, request.headers["accept-language"])
        const pending = {
          state: client.randomState(),
          nonce: client.randomNonce(),
          verifier: client.randomPKCECodeVerifier(),
        }
        const challenge = yield* Effect.promise(() => client.calculatePKCECodeChallenge(pending.verifier))
        const url = client.buildAuthorizationUrl(config.value, {
          redirect_uri: callback,
          scope: settings.scopes,
          code_challenge: challenge,
          code_challenge_method: "S256",
          state: pending.state,
          nonce: pending.nonce,
        })
        return HttpServerResponse.redirect(url, { status: 303 }).pipe(
          HttpServerResponse.setCookieUnsafe(pendingCookie(security), Schema.encodeSync(Pending)(pending), {
            httpOnly: true,
            sameSite: "lax",
            path: "/",
            secure: security === "secure",
            maxAge: `${pendingSeconds} seconds`,
          }),
          HttpServerResponse.setHeader("cache-control", "no-store"),
        )
      })

      const finish = Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const accept = request.headers["accept-language"]
        // Logged for the operator (a misconfigured provider shows here), never shown to the browser.
        const fail = (failure: Failure, cause?: unknown) =>
          Effect.gen(function* () {
            const log = yield* Effect.serviceOption(Log)
            if (log._tag === "Some")
              log.value.warn(
                { failure, cause: cause instanceof Error ? cause.message : undefined },
                "single sign-on refused",
              )
            return failurePage(failure, security, accept)
          }).pipe(Effect.provide(services))
        const raw = request.cookies[pendingCookie(security)]
        const pending =
          raw === undefined ? undefined : Schema.decodeUnknownOption(Pending)(raw).pipe(Option.getOrUndefined)
        if (pending === undefined) return yield* fail("state")
        // Checked here too, so an answer to another browser's sign-in is named as such.
        const state = new URL(request.url, settings.publicUrl).searchParams.get("state")
        if (state === null || !sameText(state, pending.state)) return yield* fail("state")
        // The person said no at the provider, or the provider refused them (RFC 6749 §4.1.2.1).
        const providerError = new URL(request.url, settings.publicUrl).searchParams.get("error")
        if (providerError !== null) return yield* fail("cancelled", new Error(providerError.slice(0, 64)))
        const config = yield* Effect.tryPromise(configuration).pipe(Effect.option)
        if (Option.isNone(config)) return yield* fail("unavailable")
        // The URL the provider sent the browser to, rebuilt on the public base (behind a proxy the Host differs).
        const current = new URL(request.url, settings.publicUrl)
        const here = new URL(callback)
        current.protocol = here.protocol
        current.host = here.host
        const tokens = yield* Effect.tryPromise(() =>
          client.authorizationCodeGrant(config.value, current, {
            pkceCodeVerifier: pending.verifier,
            expectedState: pending.state,
            expectedNonce: pending.nonce,
            idTokenExpected: true,
          }),
        ).pipe(Effect.result)
        if (tokens._tag === "Failure") {
          return yield* fail("provider", tokens.failure.cause)
        }
        const claims = tokens.success.claims()
        if (claims === undefined) return yield* fail("provider")
        // Providers may keep scope claims out of the ID token and answer them at userinfo only.
        const named =
          typeof claims[settings.claim] === "string"
            ? Option.some<Record<string, unknown>>(claims)
            : yield* Effect.tryPromise(() =>
                client.fetchUserInfo(config.value, tokens.success.access_token, claims.sub),
              ).pipe(Effect.option)
        if (Option.isNone(named)) return yield* fail("provider")
        const value = named.value[settings.claim]
        if (typeof value !== "string" || value === "") return yield* fail("claim")
        // An e-mail address names a person only once the provider has checked it.
        if (settings.claim === "email" && named.value.email_verified !== true) return yield* fail("claim")
        const session = yield* signInWithIdentity(
          { issuer: claims.iss, subject: claims.sub, match: settings.match, value },
          { userAgent: request.headers["user-agent"], address: addressOf(request) },
        ).pipe(Effect.provide(services), Effect.result)
        if (session._tag === "Failure") {
          if (session.failure._tag === "SignInRefused") return yield* fail("refused")
          return yield* Effect.fail(session.failure)
        }
        return HttpServerResponse.redirect("/", { status: 303 }).pipe(
          HttpServerResponse.setCookieUnsafe(pendingCookie(security), "", clearedCookieOptions(security)),
          HttpServerResponse.setCookieUnsafe(
            sessionCookieName(security),
            session.success.secret,
            sessionCookieOptions(security),
          ),
          HttpServerResponse.setHeader("cache-control", "no-store"),
        )
      })

      return Layer.mergeAll(
        status,
        HttpRouter.add("GET", "/auth/oidc/start", start),
        HttpRouter.add("GET", "/auth/oidc/callback", finish),
      )
    }),
  )

/** Single sign-on's routes with the settings of the environment. */
export const oidcLayer = () => oidcRoutes(oidcSettingsFromEnv())
