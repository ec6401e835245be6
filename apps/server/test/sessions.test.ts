/**
 * People in a browser: a password signs in and sets the session cookie; the cookie
 * authenticates like a token but a write made with it needs the CSRF token (and our own
 * origin); wrong passwords lock out with one answer for unknown names; signing out ends it.
 */

import { WallClock } from "@liandong/engine/runtime"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect, Layer } from "effect"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { ServerConfig } from "../src/Config.ts"
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
