/**
 * POST /campaigns/{campaign}/nudges over HTTP: the coordinator nudges the units not yet
 * reported (a retry with its key replays), a unit nudges only the units below it, a refusal
 * is a journaled 403 that changes nothing, a body that does not decode is a 400 naming its
 * field in the caller's language, and nobody left to nudge is a 409.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, denials, fingerprint, isProblem, startTestServer } from "./harness.ts"

describeEachDatabase(
  "nudges over HTTP",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    const path = "/api/v1/campaigns/matrix-main/nudges"
    const post = (token: string, body: unknown, options: { key?: string; lang?: string } = {}) =>
      call(server.url, "POST", path, {
        token: seeded.tokens[token] as string,
        body,
        lang: options.lang,
        headers: options.key === undefined ? {} : { "idempotency-key": options.key },
      })
    const notices = async () =>
      (
        await sql<{ unit_key: string; kind: string; body: { message: string | null } }>`
          select unit_key, kind, body from notifications where kind = 'nudge' order by id`.execute(db.store().db)
      ).rows

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("nudges the units not yet reported, once per key, with a notice per unit", async () => {
      const body = { phase: "publicity", which: "unreported", message: "请尽快报送活动情况" }
      const first = await post("lead", body, { key: "nudge-http-1" })
      expect(first.status, first.text).toBe(200)
      expect(first.json).toMatchObject({ campaign: "matrix-main", replayed: false })
      expect(first.json.units.length).toBeGreaterThan(0)
      expect(first.json.notices).toBe(first.json.units.length)
      const again = await post("lead", body, { key: "nudge-http-1" })
      expect(again.status).toBe(200)
      expect(again.json).toMatchObject({ nudge: first.json.nudge, replayed: true })
      const written = await notices()
      expect(written.map((n) => n.unit_key)).toEqual(first.json.units)
      expect(written.every((n) => n.body.message === "请尽快报送活动情况")).toBe(true)
    })

    it("lets a unit nudge the units below it, and refuses others with a journaled 403", async () => {
      const below = await post("unit-a", { units: ["county-a1"] })
      expect(below.status, below.text).toBe(200)
      expect(below.json.units).toEqual(["county-a1"])
      const before = await fingerprint(db.store())
      const deniedBefore = await denials(db.store())
      for (const [who, body] of [
        ["unit-a", { units: ["district-b"] }],
        ["unit-b", { which: "unreported" }],
        ["auditor", { which: "unreported" }],
      ] as const) {
        const refused = await post(who, body)
        expect(refused.status, `${who}: ${refused.text}`).toBe(403)
        expect(isProblem(refused)).toBe(true)
      }
      expect(await fingerprint(db.store())).toBe(before)
      expect(await denials(db.store())).toBe(deniedBefore + 3)
      // A campaign the caller takes no part in does not exist for it.
      const other = await call(server.url, "POST", "/api/v1/campaigns/matrix-other/nudges", {
        token: seeded.tokens.lead as string,
        body: { which: "unreported" },
      })
      expect(other.status).toBe(404)
    })

    it("answers a body that does not decode with a 400 naming the field, in the caller's language", async () => {
      const before = await fingerprint(db.store())
      const long = await post("lead", { which: "unreported", message: "催".repeat(501) }, { lang: "zh-CN" })
      expect(long.status).toBe(400)
      expect(long.json.errors).toEqual([{ in: "body", path: "message", detail: "留言不超过 500 字" }])
      const both = await post("lead", { which: "unreported", units: ["district-b"] }, { lang: "en" })
      expect(both.status).toBe(400)
      expect(both.json.errors[0]).toMatchObject({ in: "body", path: "which" })
      expect(both.json.errors[0].detail).not.toMatch(/[\u4e00-\u9fff]/u)
      const phase = await post("lead", { which: "unreported", phase: "no-such" })
      expect(phase.status).toBe(404)
      expect(phase.json.what).toBe("phase")
      expect(await fingerprint(db.store())).toBe(before)
    })

    it("says there is nobody to nudge with a 409", async () => {
      const none = await post("lead", { phase: "publicity", task: "brochures", which: "unacknowledged" })
      expect(none.status, none.text).toBe(409)
      expect(none.json.detail).toContain("没有需要催办的单位")
    })
  },
  { resetEach: false },
)
