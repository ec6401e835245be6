/**
 * The browser's session: one cookie holding the session secret (shared by every
 * tab), and a CSRF token derived from that secret that cookie-authenticated
 * writes must carry in a header. Bearer tokens (machines, scripts) need no CSRF
 * token: a cross-site page cannot set an Authorization header.
 */
import { createHash, timingSafeEqual } from "node:crypto"

/** Whether cookies are marked Secure: behind HTTPS (directly or through a proxy that says so). */
export type CookieSecurity = "secure" | "insecure"

/**
 * The cookie's name. With Secure, the `__Host-` prefix makes the browser refuse it unless it
 * was set over HTTPS for this exact host, path `/`, with no Domain, so a sibling subdomain
 * cannot plant or overwrite it.
 */
export const sessionCookieName = (security: CookieSecurity): string =>
  security === "secure" ? "__Host-liandong_session" : "liandong_session"

/** Both names, for reading: a deployment that moves to HTTPS still reads the older cookie once. */
export const sessionCookieNames = ["__Host-liandong_session", "liandong_session"] as const

/** The header a cookie-authenticated write carries its CSRF token in. */
export const csrfHeader = "x-csrf-token"

/**
 * The cookie's attributes: HttpOnly (no script reads it), SameSite=Lax (sent on top-level
 * navigations back from an identity provider, never on cross-site subrequests or POSTs),
 * Path=/, Secure with HTTPS. No Max-Age: the engine's session holds the idle and absolute
 * expiry; the browser forgets the cookie when it closes or the server ends the session.
 */
export const sessionCookieOptions = (security: CookieSecurity) =>
  ({
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: security === "secure",
  }) as const

/** The attributes that make a browser drop the cookie at once. */
export const clearedCookieOptions = (security: CookieSecurity) =>
  ({ ...sessionCookieOptions(security), maxAge: 0, expires: new Date(0) }) as const

/** The session secret a request's cookies carry, if any (the Secure name first). */
export const sessionSecretOf = (cookies: Readonly<Record<string, string>>): string | undefined => {
  for (const name of sessionCookieNames) {
    const value = cookies[name]
    if (value !== undefined && value !== "") return value
  }
  return undefined
}

/**
 * The CSRF token of a session: derived from its secret, so every tab of the session computes
 * the same token from `GET /session` and the server keeps no second secret. It reveals nothing
 * of the secret (a one-way hash under its own label).
 */
export const csrfTokenFor = (sessionSecret: string): string =>
  createHash("sha256").update("liandong csrf\u0000").update(sessionSecret).digest("base64url")

/** Whether a request's CSRF header matches its session, in constant time. */
export const csrfMatches = (sessionSecret: string, token: string | undefined): boolean => {
  if (token === undefined) return false
  const expected = Buffer.from(csrfTokenFor(sessionSecret))
  const given = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
