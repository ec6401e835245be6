/**
 * A campaign's webhooks over HTTP: the coordinator registers one and sees its secret once —
 * a retry with the same Idempotency-Key answers the same endpoint without it, and the
 * idempotency record never holds it; the list (coordinator, auditor) never shows a secret or
 * a URL's query; an auditor may not register; the coordinator removes it.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, startTestServer } from "./harness.ts"

describeEachDatabase(
  "webhooks over HTTP",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("shows a webhook's secret once, lists endpoints without secrets, and removes them", async () => {
      const lead = seeded.tokens.lead as string
      const auditor = seeded.tokens.auditor as string
      const path = "/api/v1/campaigns/matrix-main/webhooks"
      const body = { kind: "webhook", url: "https://hooks.example.invalid/liandong?token=abc", events: ["returned"] }
      const first = await call(server.url, "POST", path, {
        token: lead,
        body,
        headers: { "idempotency-key": "hook-1" },
      })
      expect(first.status).toBe(200)
      expect(first.json).toMatchObject({
        kind: "webhook",
        signed: true,
        url: "https://hooks.example.invalid/liandong?…",
      })
      const secret = first.json.secret as string
      expect(secret).toMatch(/^whsec_/)
      const again = await call(server.url, "POST", path, {
        token: lead,
        body,
        headers: { "idempotency-key": "hook-1" },
      })
      expect(again.status).toBe(200)
      expect(again.json).toMatchObject({ id: first.json.id, secret: null, replayed: true })
      const stored = await sql<Record<string, unknown>>`select * from command_results`.execute(db.store().db)
      expect(JSON.stringify(stored.rows)).not.toContain(secret)

      const robot = await call(server.url, "POST", path, {
        token: lead,
        body: { kind: "wecom", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-123" },
      })
      expect(robot.status).toBe(200)
      expect(robot.json.secret).toBeNull()

      for (const token of [lead, auditor]) {
        const listed = await call(server.url, "GET", path, { token })
        expect(listed.status).toBe(200)
        expect(listed.json.map((w: { kind: string }) => w.kind)).toEqual(["webhook", "wecom"])
        expect(listed.text).not.toContain(secret)
        expect(listed.text).not.toContain("wecom-key-123")
        expect(listed.text).not.toContain("token=abc")
      }
      const refused = await call(server.url, "POST", path, { token: auditor, body })
      expect(refused.status).toBe(403)
      const bad = await call(server.url, "POST", path, {
        token: lead,
        lang: "en",
        body: { kind: "dingtalk", url: "https://oapi.dingtalk.com/robot/send" },
      })
      expect(bad.status).toBe(400)
      expect(bad.json.errors[0]).toMatchObject({ in: "body", path: "url" })

      const removed = await call(server.url, "DELETE", `${path}/${first.json.id}`, { token: lead })
      expect(removed.json).toEqual({ campaign: "matrix-main", webhook: first.json.id, removed: true })
      expect((await call(server.url, "GET", path, { token: lead })).json).toHaveLength(1)
    })
  },
  { resetEach: false },
)
