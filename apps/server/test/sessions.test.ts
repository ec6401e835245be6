/**
 * People in a browser: a password signs in and sets the session cookie; the cookie
 * authenticates like a token but a write made with it needs the CSRF token (and our own
 * origin); wrong passwords lock out with one answer for unknown names; signing out ends it.
 */

import { createHmac } from "node:crypto"
import { acceptInvitation, resetPassword } from "@liandong/engine/commands"
import { confirmSecondFactor, enrolSecondFactor, loadActor, operator, WallClock } from "@liandong/engine/runtime"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect, Layer, ManagedRuntime } from "effect"
import { sql } from "kysely"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { configFromEnv, type ServerConfig } from "../src/Config.ts"
import { type RunningServer, startServer } from "../src/Server.ts"
import { engineServices, type Seeded, seed, seededAt } from "./fixture.ts"
import { type Answer, call, fingerprint, isProblem } from "./harness.ts"

// The wall clock sessions expire by, moved forward by the test.
let offset = 0

const testConfig: ServerConfig = {
  host: "127.0.0.1",
  port: 0,
  bodyLimit: 64 * 1024,
  rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
  webDist: null,
  worker: false,
  livePollMs: 1000,
  requestExpiry: { retentionSeconds: 7 * 86_400, everyMs: 60 * 60 * 1000, batch: 1000 },
}

const password = "黄河长江-correct-horse-9"

/** RFC 6238 with SHA-1, 30 s, 6 digits: what an authenticator app shows at `ms` for a base32 secret. */
const totp = (secret: string, ms: number): string => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
  let bits = ""
  for (const ch of secret.replace(/=+$/u, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0")
  const key = Buffer.from((bits.match(/.{8}/gu) ?? []).map((b) => Number.parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)))
  const mac = createHmac("sha1", key).update(counter).digest()
  const at = (mac[mac.length - 1] ?? 0) & 0xf
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, "0")
}

const cookieOf = (answer: Answer): string => {
  const header = answer.headers.get("set-cookie") ?? ""
  const match = /liandong_session=([^;]*)/u.exec(header)
  if (match === null) throw new Error(`no session cookie in ${header}`)
  return `liandong_session=${match[1]}`
}

describeEachDatabase(
  "sessions over HTTP",
  (db) => {
    let server: RunningServer
    let seeded: Seeded

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startServer(
        testConfig,
        Layer.mergeAll(
          engineServices(db.store(), seeded.keyFile, seededAt),
          Layer.succeed(WallClock, { now: Effect.sync(() => new Date(Date.now() + offset)) }),
        ),
      )
      for (const id of ["unit-a", "unit-b"]) {
        const reset = await call(server.url, "POST", `/api/v1/people/${id}/reset`, { token: seeded.tokens.lead })
        expect(reset.status).toBe(200)
        const accepted = await call(server.url, "POST", "/api/v1/invitations/accept", {
          body: { token: reset.json.token, password },
        })
        expect(accepted.status).toBe(200)
      }
    })
    afterAll(async () => {
      await server?.close()
    })

    /** Another server on the same store, with its own settings (its own rate limits too). */
    const startWith = (overrides: Partial<ServerConfig>) =>
      startServer({ ...testConfig, ...overrides }, engineServices(db.store(), seeded.keyFile, seededAt))

    it("marks the cookie Secure and __Host- behind a trusted HTTPS proxy, and reads it back", async () => {
      const proxied = await startWith({ sessions: { cookieSecure: "auto", trustProxy: true } })
      try {
        const https = await call(proxied.url, "POST", "/api/v1/session", {
          body: { name: "unit-b", password },
          headers: { "x-forwarded-proto": "https" },
        })
        expect(https.status).toBe(200)
        const header = https.headers.get("set-cookie") ?? ""
        expect(header).toMatch(/^__Host-liandong_session=/u)
        expect(header).toMatch(/Secure/u)
        expect(header).toMatch(/Path=\//u)
        expect(header).not.toMatch(/Domain/iu)
        const cookie = header.split(";")[0] ?? ""
        expect((await call(proxied.url, "GET", "/api/v1/me", { headers: { cookie } })).json.id).toBe("unit-b")
        const http = await call(proxied.url, "POST", "/api/v1/session", {
          body: { name: "unit-b", password },
          headers: { "x-forwarded-proto": "http" },
        })
        expect(http.headers.get("set-cookie") ?? "").toMatch(/^liandong_session=/u)
        // Behind a trusted proxy, the Origin is checked against the host the proxy names.
        const foreign = await call(proxied.url, "DELETE", "/api/v1/session", {
          headers: {
            cookie,
            "x-csrf-token": https.json.csrfToken,
            origin: "https://liandong.example",
            "x-forwarded-host": "elsewhere.example",
          },
        })
        expect(foreign.status).toBe(403)
        const own = await call(proxied.url, "DELETE", "/api/v1/session", {
          headers: {
            cookie,
            "x-csrf-token": https.json.csrfToken,
            origin: "https://liandong.example",
            "x-forwarded-host": "liandong.example",
          },
        })
        expect(own.status).toBe(200)
        expect(own.headers.get("set-cookie") ?? "").toMatch(/Max-Age=0/iu)
      } finally {
        await proxied.close()
      }
    })

    it("counts a cookie's requests against its person, not the address people share", async () => {
      const limited = await startWith({ rateLimit: { perMinute: 1, burst: 3 } })
      try {
        const cookies: string[] = []
        for (const name of ["unit-a", "unit-b"]) {
          const answer = await call(limited.url, "POST", "/api/v1/session", {
            body: { name, password },
          })
          expect(answer.status).toBe(200)
          cookies.push(cookieOf(answer))
        }
        for (const cookie of cookies) {
          for (let i = 0; i < 3; i++) {
            expect((await call(limited.url, "GET", "/api/v1/me", { headers: { cookie } })).status).toBe(200)
          }
          expect((await call(limited.url, "GET", "/api/v1/me", { headers: { cookie } })).status).toBe(429)
        }
      } finally {
        await limited.close()
      }
    })

    it("slows guessing from one address: refused sign-ins spend its failure budget, then 429", async () => {
      const limited = await startWith({
        rateLimit: { perMinute: 1_000_000, burst: 1_000_000, failures: { perMinute: 1, burst: 2 } },
      })
      try {
        const attempt = (pass: string) =>
          call(limited.url, "POST", "/api/v1/session", { body: { name: "nobody", password: pass } })
        expect((await attempt("guess-number-1")).status).toBe(401)
        expect((await attempt("guess-number-2")).status).toBe(401)
        const third = await attempt("guess-number-3")
        expect(third.status).toBe(429)
        expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0)
      } finally {
        await limited.close()
      }
    })

    const signIn = async (name: string, pass = password) =>
      call(server.url, "POST", "/api/v1/session", { body: { name, password: pass } })

    it("signs in with a password: the cookie is HttpOnly and SameSite=Lax, GET /session gives the CSRF token", async () => {
      const answer = await signIn("unit-a")
      expect(answer.status).toBe(200)
      expect(answer.json.person.id).toBe("unit-a")
      const header = answer.headers.get("set-cookie") ?? ""
      expect(header).toMatch(/HttpOnly/iu)
      expect(header).toMatch(/SameSite=Lax/iu)
      const cookie = cookieOf(answer)
      const session = await call(server.url, "GET", "/api/v1/session", { headers: { cookie } })
      expect(session.status).toBe(200)
      expect(session.json.csrfToken).toBe(answer.json.csrfToken)
      const me = await call(server.url, "GET", "/api/v1/me", { headers: { cookie } })
      expect(me.json.id).toBe("unit-a")
    })

    it("journals an act done through a cookie session under the person's principal", async () => {
      const answer = await signIn("unit-b")
      const acknowledged = await call(
        server.url,
        "POST",
        "/api/v1/campaigns/matrix-main/units/district-b/tasks/events/acknowledge",
        { headers: { cookie: cookieOf(answer), "x-csrf-token": answer.json.csrfToken } },
      )
      expect(acknowledged.status).toBe(200)
      const { rows } = await sql<{ actor: string; role: string }>`
        select actor, role from journal where unit_key = 'district-b' and event <> 'access.denied'
        order by id desc limit 1`.execute(db.store().db)
      expect(rows[0]).toEqual({ actor: "unit-b", role: "unit" })
    })

    it("answers an unknown name and a wrong password alike, and locks out after five wrong passwords", async () => {
      const unknown = await signIn("nobody-here", "whatever-password-1")
      const wrong = await signIn("unit-b", "whatever-password-1")
      expect(unknown.status).toBe(401)
      expect(isProblem(unknown)).toBe(true)
      expect(wrong.json).toEqual(unknown.json)
      for (let i = 0; i < 4; i++) expect((await signIn("unit-b", "whatever-password-1")).status).toBe(401)
      const locked = await signIn("unit-b")
      expect(locked.status).toBe(401)
      expect(locked.json.detail).toBe(unknown.json.detail)
    })

    it("refuses a cookie write without the CSRF token, or from another origin, and changes nothing", async () => {
      const answer = await signIn("unit-a")
      const cookie = cookieOf(answer)
      const before = await fingerprint(db.store())
      const path = "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/acknowledge"
      const bare = await call(server.url, "POST", "/api/v1/sessions/sign-out-everywhere", { headers: { cookie } })
      expect(bare.status).toBe(403)
      expect(bare.json.title).toBe("跨站请求被拒绝 / Cross-site request refused")
      const foreign = await call(server.url, "POST", path, {
        headers: { cookie, "x-csrf-token": answer.json.csrfToken, origin: "https://evil.example" },
      })
      expect(foreign.status).toBe(403)
      const wrongToken = await call(server.url, "POST", path, { headers: { cookie, "x-csrf-token": "nope" } })
      expect(wrongToken.status).toBe(403)
      expect(await fingerprint(db.store())).toBe(before)
      const still = await call(server.url, "GET", "/api/v1/session", { headers: { cookie } })
      expect(still.status).toBe(200)
    })

    it("keeps a unit's person to its own unit: another unit's task is not found", async () => {
      const cookie = cookieOf(await signIn("unit-a"))
      const own = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/units/district-a/tasks/events", {
        headers: { cookie },
      })
      expect(own.status).toBe(200)
      const other = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/units/district-b/tasks/events", {
        headers: { cookie },
      })
      expect(other.status).toBe(404)
      expect(other.json.what).toBe("task")
      const report = await call(server.url, "GET", `/api/v1/reports/${seeded.reports["district-b"]}`, {
        headers: { cookie },
      })
      expect(report.status).toBe(404)
    })

    it("ends the session on sign-out, and every session on sign-out everywhere", async () => {
      const first = await signIn("unit-a")
      const second = await signIn("unit-a")
      const out = await call(server.url, "DELETE", "/api/v1/session", {
        headers: { cookie: cookieOf(first), "x-csrf-token": first.json.csrfToken },
      })
      expect(out.status).toBe(200)
      expect((await call(server.url, "GET", "/api/v1/session", { headers: { cookie: cookieOf(first) } })).status).toBe(
        401,
      )
      expect((await call(server.url, "GET", "/api/v1/session", { headers: { cookie: cookieOf(second) } })).status).toBe(
        200,
      )
      const everywhere = await call(server.url, "POST", "/api/v1/sessions/sign-out-everywhere", {
        headers: { cookie: cookieOf(second), "x-csrf-token": second.json.csrfToken },
      })
      expect(everywhere.status).toBe(200)
      expect((await call(server.url, "GET", "/api/v1/session", { headers: { cookie: cookieOf(second) } })).status).toBe(
        401,
      )
    })

    it("keeps a live stream opened with the cookie while the session lives, and ends it at sign-out", async () => {
      const answer = await signIn("unit-a")
      const cookie = cookieOf(answer)
      const controller = new AbortController()
      const response = await fetch(`${server.url}/api/v1/campaigns/matrix-main/events`, {
        headers: { cookie },
        signal: controller.signal,
      })
      try {
        expect(response.status).toBe(200)
        const reader = (response.body as ReadableStream<Uint8Array>).getReader()
        expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: change")
        // The stream lives on while the session does: a change reaches it.
        const approved = await call(server.url, "POST", `/api/v1/reports/${seeded.reports["district-b"]}/approve`, {
          token: seeded.tokens.lead,
          body: {},
        })
        expect(approved.status).toBe(200)
        for (;;) {
          const next = await reader.read()
          expect(next.done).toBe(false)
          if (new TextDecoder().decode(next.value).includes('"changed":true')) break
        }
        const out = await call(server.url, "DELETE", "/api/v1/session", {
          headers: { cookie, "x-csrf-token": answer.json.csrfToken },
        })
        expect(out.status).toBe(200)
        // The hub finds the session gone at its next look, and the stream ends.
        for (;;) if ((await reader.read()).done) break
      } finally {
        controller.abort()
      }
    })

    it("refuses a session past its idle expiry, by the wall clock", async () => {
      const answer = await signIn("unit-a")
      const cookie = cookieOf(answer)
      expect((await call(server.url, "GET", "/api/v1/session", { headers: { cookie } })).status).toBe(200)
      offset = 2 * 60 * 60 * 1000 + 1000
      try {
        const expired = await call(server.url, "GET", "/api/v1/session", { headers: { cookie } })
        expect(expired.status).toBe(401)
        expect(expired.json.reason).toBe("expired")
      } finally {
        offset = 0
      }
    })

    it("refuses a bad sign-in body naming each field, in the reader's language", async () => {
      const zh = await call(server.url, "POST", "/api/v1/session", { body: { name: "", password: "x" } })
      expect(zh.status).toBe(400)
      expect(isProblem(zh)).toBe(true)
      expect(zh.json.errors.map((e: { path: string }) => e.path)).toEqual(["name"])
      expect(zh.json.errors[0].detail).toMatch(/[\u4e00-\u9fff]/u)
      const en = await call(server.url, "POST", "/api/v1/session", { body: { name: "x" }, lang: "en" })
      expect(en.status).toBe(400)
      expect(en.json.errors.map((e: { path: string }) => e.path)).toEqual(["password"])
      expect(en.json.errors[0].detail).not.toMatch(/[\u4e00-\u9fff]/u)
    })

    it("answers every spent or unknown invitation token alike, and a used one works no more", async () => {
      const reset = await call(server.url, "POST", "/api/v1/people/county/reset", { token: seeded.tokens.lead })
      expect(reset.status).toBe(200)
      const first = await call(server.url, "POST", "/api/v1/invitations/accept", {
        body: { token: reset.json.token, password },
      })
      expect(first.status).toBe(200)
      const again = await call(server.url, "POST", "/api/v1/invitations/accept", {
        body: { token: reset.json.token, password },
      })
      const unknown = await call(server.url, "POST", "/api/v1/invitations/accept", {
        body: { token: "A".repeat(43), password },
      })
      expect(again.status).toBe(410)
      expect(isProblem(again)).toBe(true)
      expect(unknown.json).toEqual({ ...again.json })
    })

    it("keeps this session and ends the others when the password changes", async () => {
      const here = await signIn("unit-a")
      const there = await signIn("unit-a")
      const wrong = await call(server.url, "POST", "/api/v1/password", {
        headers: { cookie: cookieOf(here), "x-csrf-token": here.json.csrfToken },
        body: { current: "not-my-password-1", next: `${password}!` },
      })
      expect(wrong.status).toBe(401)
      const changed = await call(server.url, "POST", "/api/v1/password", {
        headers: { cookie: cookieOf(here), "x-csrf-token": here.json.csrfToken },
        body: { current: password, next: `${password}!` },
      })
      expect(changed.status).toBe(200)
      expect((await call(server.url, "GET", "/api/v1/session", { headers: { cookie: cookieOf(here) } })).status).toBe(
        200,
      )
      const ended = await call(server.url, "GET", "/api/v1/session", { headers: { cookie: cookieOf(there) } })
      expect(ended.status).toBe(401)
      expect(ended.json.reason).toBe("revoked")
      expect((await signIn("unit-a")).status).toBe(401)
      expect((await signIn("unit-a", `${password}!`)).status).toBe(200)
    })

    it("does not believe X-Forwarded-Proto unless told to: the cookie stays plain", async () => {
      const answer = await call(server.url, "POST", "/api/v1/session", {
        body: { name: "unit-a", password: `${password}!` },
        headers: { "x-forwarded-proto": "https" },
      })
      expect(answer.status).toBe(200)
      const header = answer.headers.get("set-cookie") ?? ""
      expect(header).toMatch(/^liandong_session=/u)
      expect(header).not.toMatch(/Secure/iu)
    })

    it("asks a coordinator with a second factor for the code, and opens the session with it", async () => {
      const runtime = ManagedRuntime.make(engineServices(db.store(), seeded.keyFile, seededAt))
      let secret: string
      try {
        const reset = await runtime.runPromise(resetPassword("lead", operator))
        await runtime.runPromise(acceptInvitation(reset.token, password))
        const lead = await runtime.runPromise(loadActor("lead"))
        secret = (await runtime.runPromise(enrolSecondFactor(lead))).secret
        await runtime.runPromise(confirmSecondFactor(totp(secret, Date.now()), lead))
      } finally {
        await runtime.dispose()
      }
      const without = await call(server.url, "POST", "/api/v1/session", { body: { name: "lead", password } })
      expect(without.status).toBe(401)
      expect(without.json.reason).toBe("second-factor-required")
      expect(without.headers.get("set-cookie")).toBeNull()
      const wrong = await call(server.url, "POST", "/api/v1/session", {
        body: { name: "lead", password, code: "000000" },
      })
      expect(wrong.status).toBe(401)
      // The next time step's code: the current one was spent confirming, and a spent step is refused.
      const code = totp(secret, Date.now() + offset + 30_000)
      const signedIn = await call(server.url, "POST", "/api/v1/session", { body: { name: "lead", password, code } })
      expect(signedIn.status).toBe(200)
      expect((await call(server.url, "GET", "/api/v1/me", { headers: { cookie: cookieOf(signedIn) } })).json.id).toBe(
        "lead",
      )
      const replayed = await call(server.url, "POST", "/api/v1/session", { body: { name: "lead", password, code } })
      expect(replayed.status).toBe(401)
    })

    it("lets a bearer token write without a CSRF token", async () => {
      const sessions = await call(server.url, "GET", "/api/v1/sessions", { token: seeded.tokens["unit-a"] })
      expect(sessions.status).toBe(200)
      const people = await call(server.url, "GET", "/api/v1/people", { token: seeded.tokens.lead })
      expect(people.status).toBe(200)
      expect(people.json.map((p: { id: string }) => p.id)).toContain("unit-a")
      const refused = await call(server.url, "GET", "/api/v1/people", { token: seeded.tokens["unit-a"] })
      expect(refused.status).toBe(403)
    })
  },
  { resetEach: false },
)

describe("the session cookie settings", () => {
  it("decodes LIANDONG_COOKIE_SECURE and LIANDONG_TRUST_PROXY, and refuses other values by name", () => {
    expect(configFromEnv({}).sessions).toEqual({ cookieSecure: "auto", trustProxy: false })
    expect(configFromEnv({ LIANDONG_COOKIE_SECURE: "always", LIANDONG_TRUST_PROXY: "1" }).sessions).toEqual({
      cookieSecure: "always",
      trustProxy: true,
    })
    expect(() => configFromEnv({ LIANDONG_COOKIE_SECURE: "sometimes" })).toThrow(/LIANDONG_COOKIE_SECURE/u)
    expect(() => configFromEnv({ LIANDONG_TRUST_PROXY: "yes" })).toThrow(/LIANDONG_TRUST_PROXY/u)
  })
})
