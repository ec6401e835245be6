/**
 * A rule between a report's figures over HTTP: the task carries its parsed rules (so the
 * browser checks with them), and a report breaking one is a 400 naming the field, with
 * nothing stored.
 */
import { acknowledge, addPrincipal, createToken, deploy, startCampaign } from "@liandong/engine/commands"
import { loadActor, operator } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect, ManagedRuntime } from "effect"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { engineServices, mainCampaign, newKeyFile } from "./fixture.ts"
import { call, startTestServer } from "./harness.ts"

const [publicity, ...rest] = mainCampaign.phases
const meetingCampaign = {
  ...mainCampaign,
  key: "rules-week",
  phases: [
    {
      ...publicity,
      tasks: [
        {
          key: "meeting",
          title: { zh: "召开推进会", en: "Hold the meeting" },
          assign: { units: ["district-a"] },
          deadline: "2026-04-24T18:00",
          figures: [
            { key: "invited", label: { zh: "邀请单位", en: "units invited" }, measure: "家" },
            { key: "attended", label: { zh: "参会单位", en: "units attending" }, measure: "家" },
          ],
          rules: ["attended <= invited"],
        },
      ],
    },
    ...rest.map((phase) => ({
      ...phase,
      tasks: phase.tasks.map((t) => ({ ...t, assign: { units: ["district-a"] } })),
    })),
  ],
}

describeEachDatabase(
  "rules between figures over HTTP",
  (db) => {
    let server: RunningServer
    const tokens: Record<string, string> = {}
    const task = "/api/v1/campaigns/rules-week/units/district-a/tasks/meeting"

    beforeAll(async () => {
      const keyFile = newKeyFile()
      const runtime = ManagedRuntime.make(engineServices(db.store(), keyFile, "2026-04-12T09:00:00+08:00"))
      try {
        await runtime.runPromise(deploy(meetingCampaign, operator))
        for (const p of [
          { id: "lead", name: "王局长", role: "coordinator", unit: "city" },
          { id: "unit-a", name: "甲区联络员", role: "unit", unit: "district-a" },
        ] as const) {
          await runtime.runPromise(addPrincipal(p, operator))
          tokens[p.id] = (await runtime.runPromise(createToken(p.id, {}, operator))).token
        }
        await runtime.runPromise(Effect.flatMap(loadActor("lead"), (lead) => startCampaign("rules-week", lead)))
        await runtime.runPromise(runUntilIdle(new Date("2026-04-13T09:00:00+08:00")))
        await runtime.runPromise(
          Effect.flatMap(loadActor("unit-a"), (unit) => acknowledge(`rules-week/district-a/meeting`, unit)),
        )
      } finally {
        await runtime.dispose()
      }
      server = await startTestServer(db.store(), keyFile, {}, "2026-04-13T10:00:00+08:00")
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("hands the browser the task's parsed rules", async () => {
      const answer = await call(server.url, "GET", task, { token: tokens["unit-a"] })
      expect(answer.json.rules).toEqual([
        {
          text: "attended <= invited",
          when: null,
          check: { left: [{ figure: "attended" }], op: "<=", right: [{ figure: "invited" }] },
          require: null,
          message: null,
        },
      ])
    })

    it("refuses attended 25 of 20 invited with the field named, in either language, and stores nothing", async () => {
      const count = async () =>
        (await sql<{ n: number }>`select count(*)::int as n from reports`.execute(db.store().db)).rows[0]?.n
      const before = await count()
      const body = { figures: { invited: 20, attended: 25 }, narrative: { narrative: "已召开推进会" } }
      const zh = await call(server.url, "POST", `${task}/reports`, { token: tokens["unit-a"], body })
      expect(zh.status).toBe(400)
      expect(JSON.stringify(zh.json)).toContain("figures.attended")
      expect(JSON.stringify(zh.json)).toContain("“参会单位”（25）应不大于“邀请单位”（20）")
      const en = await call(server.url, "POST", `${task}/reports`, { token: tokens["unit-a"], body, lang: "en" })
      expect(en.status).toBe(400)
      expect(JSON.stringify(en.json)).toContain('\\"units attending\\" (25) must be at most \\"units invited\\" (20)')
      expect(await count()).toBe(before)
      const accepted = await call(server.url, "POST", `${task}/reports`, {
        token: tokens["unit-a"],
        body: { ...body, figures: { invited: 20, attended: 20 } },
      })
      expect(accepted.status).toBe(200)
    })
  },
  { resetEach: false },
)
