/**
 * The session cookie on the wire: whether it is Secure for this request, setting and
 * clearing it, and the CSRF rule for writes that carry it.
 */
import type { IncomingMessage } from "node:http"
import { Effect } from "effect"
import { HttpEffect, type HttpServerRequest, HttpServerResponse } from "effect/http"
import type { SessionSettings } from "./Config.ts"
import {
  type CookieSecurity,
  clearedCookieOptions,
  csrfHeader,
  csrfMatches,
  sessionCookieName,
  sessionCookieNames,
  sessionCookieOptions,
  sessionSecretOf,
} from "./SessionCookie.ts"

/** The settings when none are given: Secure over HTTPS, no proxy believed. */
export const defaultSessionSettings: SessionSettings = { cookieSecure: "auto", trustProxy: false }

const overHttps = (request: HttpServerRequest.HttpServerRequest, settings: SessionSettings): boolean => {
  if (settings.trustProxy) {
    const forwarded = request.headers["x-forwarded-proto"]
    if (forwarded !== undefined) return forwarded.split(",")[0]?.trim().toLowerCase() === "https"
  }
  const source = request.source as Partial<IncomingMessage>
  return (source.socket as { encrypted?: boolean } | undefined)?.encrypted === true
}

/** Whether this request's cookie is to be Secure (and named `__Host-`). */
export const cookieSecurityOf = (
  request: HttpServerRequest.HttpServerRequest,
  settings: SessionSettings,
): CookieSecurity =>
  settings.cookieSecure === "always" || (settings.cookieSecure === "auto" && overHttps(request, settings))
    ? "secure"
    : "insecure"

/** Sets the session cookie on the answer to this request. */
export const setSessionCookie = (secret: string, security: CookieSecurity) =>
  HttpEffect.appendPreResponseHandler((_request, response) =>
    Effect.orDie(
      HttpServerResponse.setCookie(response, sessionCookieName(security), secret, sessionCookieOptions(security)),
    ),
  )

/** Clears the session cookie (both names) on the answer to this request. */
export const clearSessionCookie = (security: CookieSecurity) =>
  HttpEffect.appendPreResponseHandler((_request, response) =>
    Effect.orDie(
      Effect.flatMap(
        HttpServerResponse.setCookie(response, sessionCookieNames[0], "", clearedCookieOptions("secure")),
        (answer) => HttpServerResponse.setCookie(answer, sessionCookieNames[1], "", clearedCookieOptions(security)),
      ),
    ),
  )

/** The session secret of a request authenticated by cookie (no Authorization header), if any. */
export const cookieSecretOf = (request: HttpServerRequest.HttpServerRequest): string | undefined =>
  request.headers.authorization === undefined ? sessionSecretOf(request.cookies) : undefined

/** Methods that change something, for which a cookie is not enough. */
export const isUnsafe = (method: string): boolean => !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase())

/** Whether an Origin header, when there is one, names this server's own host. */
export const originAllowed = (request: HttpServerRequest.HttpServerRequest, settings: SessionSettings): boolean => {
  const origin = request.headers.origin
  if (origin === undefined) return true
  const host = (settings.trustProxy ? request.headers["x-forwarded-host"] : undefined) ?? request.headers.host
  try {
    return host !== undefined && new URL(origin).host === host.split(",")[0]?.trim()
  } catch {
    return false
  }
}

/** The CSRF rule: a cookie-authenticated write comes from our own origin and carries the token. */
export const csrfAllowed = (
  request: HttpServerRequest.HttpServerRequest,
  secret: string,
  settings: SessionSettings,
): boolean =>
  !isUnsafe(request.method) || (originAllowed(request, settings) && csrfMatches(secret, request.headers[csrfHeader]))
