/**
 * Changing a running campaign over HTTP: a plan first (nothing written), then the change
 * with its reason, which the journal shows; a unit may not change the campaign, an auditor
 * neither, and a change the plan refuses is a 400 naming the definition's field.
 */
import { addPrincipal, createToken, deploy, startCampaign } from "@liandong/engine/commands"
import { loadActor, operator } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect, ManagedRuntime } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { engineServices, mainCampaign, newKeyFile } from "./fixture.ts"
import { call, startTestServer } from "./harness.ts"

const campaign = { ...mainCampaign, key: "change-week" }
const changes = "/api/v1/campaigns/change-week/changes"
let n = 0
const key = () => `change-test-${++n}-${Date.now()}`

describeEachDatabase(
  "changing a running campaign over HTTP",
  (db) => {
    let server: RunningServer
    const tokens: Record<string, string> = {}

    beforeAll(async () => {
      const keyFile = newKeyFile()
      const runtime = ManagedRuntime.make(engineServices(db.store(), keyFile, "2026-04-12T09:00:00+08:00"))
      try {
        await runtime.runPromise(deploy(campaign, operator))
        for (const p of [
          { id: "lead", name: "王局长", role: "coordinator", unit: "city" },
          { id: "unit-a", name: "甲区联络员", role: "unit", unit: "district-a" },
          { id: "auditor", name: "审计员", role: "auditor" },
        ] as const) {
          await runtime.runPromise(addPrincipal(p, operator))
          tokens[p.id] = (await runtime.runPromise(createToken(p.id, {}, operator))).token
        }
        await runtime.runPromise(Effect.flatMap(loadActor("lead"), (lead) => startCampaign("change-week", lead)))
        await runtime.runPromise(runUntilIdle(new Date("2026-04-13T09:00:00+08:00")))
      } finally {
        await runtime.dispose()
      }
      server = await startTestServer(db.store(), keyFile, {}, "2026-04-14T10:00:00+08:00")
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    const post = (token: string, body: unknown, lang?: "en") =>
      call(server.url, "POST", changes, {
        token,
        body,
        headers: { "idempotency-key": key() },
        ...(lang ? { lang } : {}),
      })
    const journal = async () =>
      (await call(server.url, "GET", "/api/v1/campaigns/change-week/journal?limit=500", { token: tokens.auditor })).json
        .items as Array<{ event: string; actor: string; reason?: string | null; payload?: { reason?: string } }>

    it("plans, then applies an extension for one unit with its reason, shown in the journal", async () => {
      const extend = { kind: "extend", task: "brochures", units: ["district-b"], deadline: "2026-04-26T18:00" }
      const before = (await journal()).length
      const plan = await post(tokens.lead as string, { change: extend, dryRun: true })
      expect(plan.status).toBe(200)
      expect(plan.json).toMatchObject({ applied: false, plan: { refusals: [] } })
      expect(plan.json.words[0].zh).toContain(
        "乙区分局的任务“发放宣传资料”截止时间由 2026-04-24 18:00 改为 2026-04-26 18:00",
      )
      expect((await journal()).length).toBe(before)
      const applied = await post(tokens.lead as string, { change: extend, reason: "乙区申请延期两天" })
      expect(applied.status).toBe(200)
      expect(applied.json).toMatchObject({ applied: true, version: 2 })
      const rows = await journal()
      const changed = rows.find((r) => r.event === "campaign.changed")
      expect(changed?.actor).toBe("lead")
      expect(JSON.stringify(changed)).toContain("乙区申请延期两天")
      const task = await call(server.url, "GET", "/api/v1/campaigns/change-week/units/district-b/tasks/brochures", {
        token: tokens.lead,
      })
      expect(task.json.deadline).toBe("2026-04-26T10:00:00.000Z")
      const verification = await call(server.url, "GET", "/api/v1/campaigns/change-week/verification", {
        token: tokens.auditor,
      })
      expect(verification.json.findings).toEqual([])
    })

    it("refuses a unit and an auditor, and a change the plan refuses, naming the field", async () => {
      const withdraw = { change: { kind: "withdraw-unit", unit: "district-b" }, reason: "退出" }
      expect((await post(tokens["unit-a"] as string, withdraw)).status).toBe(403)
      expect((await post(tokens.auditor as string, withdraw)).status).toBe(403)
      const moved = {
        ...campaign,
        phases: campaign.phases.map((p, i) => (i === 0 ? { ...p, opensAt: "2026-04-15" } : p)),
      }
      const refused = await post(tokens.lead as string, {
        change: { kind: "definition", definition: moved },
        reason: "改期",
      })
      expect(refused.status).toBe(400)
      expect(JSON.stringify(refused.json)).toContain("phases[0].opensAt")
      expect(JSON.stringify(refused.json)).toContain("阶段已开始")
      const english = await post(
        tokens.lead as string,
        { change: { kind: "definition", definition: moved }, reason: "moved" },
        "en",
      )
      expect(JSON.stringify(english.json)).toContain("the phase has opened")
      const noReason = await post(tokens.lead as string, { change: { kind: "withdraw-unit", unit: "district-b" } })
      expect(noReason.status).toBe(400)
      expect(JSON.stringify(noReason.json)).toContain("reason")
    })
  },
  { resetEach: false },
)
