/**
 * GET and PUT /notices/preferences over HTTP: each person reads and sets only their own
 * (there is no way to name anyone else), the defaults before anything is set, a PUT sent
 * twice is the same as once, and a body that does not decode is a 400 naming its field in
 * the caller's language that stores nothing.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, fingerprint, startTestServer } from "./harness.ts"

describeEachDatabase(
  "notice preferences over HTTP",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    const path = "/api/v1/notices/preferences"
    const get = (who: string) => call(server.url, "GET", path, { token: seeded.tokens[who] as string })
    const put = (who: string, body: unknown, lang?: string) =>
      call(server.url, "PUT", path, { token: seeded.tokens[who] as string, body, lang })

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("answers the defaults before anything is set: every kind by email, no quiet hours", async () => {
      const answer = await get("unit-b")
      expect(answer.status, answer.text).toBe(200)
      expect(answer.json).toEqual({ muted: [], quietHours: null, timeZone: "Asia/Shanghai", updatedAt: null })
    })

    it("sets one's own preferences, idempotently, and nobody else's", async () => {
      const body = { muted: ["nudge", "reminder"], quietHours: { from: "22:00", to: "07:30" } }
      const first = await put("unit-a", body)
      expect(first.status, first.text).toBe(200)
      expect(first.json).toMatchObject({
        muted: ["reminder", "nudge"],
        quietHours: { from: "22:00", to: "07:30" },
        timeZone: "Asia/Shanghai",
      })
      expect(first.json.updatedAt).toEqual(expect.any(String))
      const again = await put("unit-a", body)
      expect(again.status).toBe(200)
      expect(again.json).toMatchObject({ muted: first.json.muted, quietHours: first.json.quietHours })
      expect((await get("unit-a")).json).toMatchObject({ muted: ["reminder", "nudge"] })
      // Another person's are untouched; an auditor has their own.
      expect((await get("unit-b")).json.updatedAt).toBeNull()
      const auditor = await put("auditor", { muted: [], quietHours: null, timeZone: "Europe/Berlin" })
      expect(auditor.status, auditor.text).toBe(200)
      expect((await get("auditor")).json).toMatchObject({ timeZone: "Europe/Berlin", quietHours: null })
      expect((await get("unit-a")).json.timeZone).toBe("Asia/Shanghai")
    })

    it("answers a body that does not decode with a 400 naming the field, and stores nothing", async () => {
      const before = await fingerprint(db.store())
      const kind = await put("unit-b", { muted: ["spam"], quietHours: null }, "en")
      expect(kind.status).toBe(400)
      expect(kind.json.errors[0]).toMatchObject({ in: "body", path: expect.stringMatching(/^muted/) })
      const time = await put("unit-b", { muted: [], quietHours: { from: "24:00", to: "07:30" } }, "zh-CN")
      expect(time.status, time.text).toBe(400)
      expect(time.json.errors).toEqual([{ in: "body", path: "quietHours.from", detail: "时间须为 HH:MM(00:00–23:59)" }])
      const same = await put("unit-b", { muted: [], quietHours: { from: "08:00", to: "08:00" } }, "en")
      expect(same.status, same.text).toBe(400)
      expect(same.json.errors[0]).toMatchObject({ in: "body", path: "quietHours.to" })
      expect(same.json.errors[0].detail).not.toMatch(/[\u4e00-\u9fff]/u)
      const zone = await put("unit-b", { muted: [], quietHours: null, timeZone: "Mars/Olympus" }, "en")
      expect(zone.status, zone.text).toBe(400)
      expect(zone.json.errors[0]).toMatchObject({ in: "body", path: "timeZone" })
      expect(await fingerprint(db.store())).toBe(before)
      expect((await get("unit-b")).json.updatedAt).toBeNull()
    })

    it("asks for a credential", async () => {
      const anonymous = await call(server.url, "GET", path)
      expect(anonymous.status).toBe(401)
      const put = await call(server.url, "PUT", path, { body: { muted: [], quietHours: null } })
      expect(put.status).toBe(401)
    })
  },
  { resetEach: false },
)
