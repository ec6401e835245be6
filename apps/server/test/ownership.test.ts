/**
 * Ownership over HTTP: a coordinator of another office cannot redeploy an unstarted
 * campaign, rename or re-parent its units (403, journaled in that campaign's chain,
 * nothing else changed); the real coordinator still sees and redeploys it; `/units`
 * lists each campaign's own units, and only the campaigns the caller may see.
 */
import { addPrincipal, createToken, deploy } from "@liandong/engine/commands"
import { operator } from "@liandong/engine/runtime"
import type { Store } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect, ManagedRuntime } from "effect"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { engineServices, mainCampaign, newKeyFile, otherCampaign } from "./fixture.ts"
import { call, fingerprint, isProblem, startTestServer } from "./harness.ts"

/** Not started: a redeploy would be allowed, were the caller its coordinator. */
const tourA = { ...mainCampaign, key: "tour-a" }

/** Another city's campaign naming district-a too, under itself and by another name. */
const tourB = {
  ...otherCampaign,
  key: "tour-b",
  units: [...otherCampaign.units, { key: "district-a", name: "丙市甲区", role: "subordinate", parent: "other-city" }],
  phases: otherCampaign.phases.map((phase) => ({
    ...phase,
    tasks: phase.tasks.map((task) => ({ ...task, assign: { units: ["other-district", "district-a"] } })),
  })),
}

const cityUnit = { key: "other-city", name: "丙市知识产权局", role: "host", level: "city" }

/** tour-a as the other office would have it: its own, district-a renamed and moved under it. */
const takenOver = {
  ...tourA,
  coordinator: "other-city",
  units: [
    cityUnit,
    ...tourA.units.map((u) => (u.key === "district-a" ? { ...u, name: "被改名", parent: "other-city" } : u)),
  ],
}

const renamed = {
  ...tourA,
  units: tourA.units.map((u) => (u.key === "district-a" ? { ...u, name: "甲区分局(新)" } : u)),
}

const people = [
  { id: "lead", name: "王局长", role: "coordinator", unit: "city" },
  { id: "other-lead", name: "丙市局长", role: "coordinator", unit: "other-city" },
  { id: "unit-a", name: "甲区联络员", role: "unit", unit: "district-a" },
] as const

const seedTours = async (store: Store, keyFile: string) => {
  const runtime = ManagedRuntime.make(engineServices(store, keyFile, "2026-04-12T09:00:00+08:00"))
  try {
    return await runtime.runPromise(
      Effect.gen(function* () {
        yield* deploy(tourA, operator)
        yield* deploy(tourB, operator)
        const tokens: Record<string, string> = {}
        for (const p of people) {
          yield* addPrincipal(p, operator)
          tokens[p.id] = (yield* createToken(p.id, {}, operator)).token
        }
        return tokens
      }),
    )
  } finally {
    await runtime.dispose()
  }
}

const unitRows = async (store: Store) =>
  JSON.stringify(
    (await sql`select campaign_id, key, name, parent_key, level from units order by campaign_id, key`.execute(store.db))
      .rows,
  )

const denialsOf = async (store: Store, campaign: string) =>
  (
    await sql<{ actor: string; payload: { action: string; ref: string } }>`
      select actor, payload from journal where campaign_id = ${campaign} and event = 'access.denied' order by seq`.execute(
      store.db,
    )
  ).rows

describeEachDatabase(
  "ownership over HTTP",
  (db) => {
    let server: RunningServer
    let tokens: Record<string, string>

    beforeAll(async () => {
      const keyFile = newKeyFile()
      tokens = await seedTours(db.store(), keyFile)
      server = await startTestServer(db.store(), keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    const as = (who: string, method: string, path: string, body?: unknown) =>
      call(server.url, method, path, { token: tokens[who], body })

    const units = async (who: string, campaign?: string) =>
      (await as(who, "GET", `/api/v1/units${campaign === undefined ? "" : `?campaign=${campaign}`}`)).json.items.map(
        (u: { campaign: string; key: string; name: string; parent: string | null }) =>
          `${u.campaign}/${u.key} ${u.name} ← ${u.parent ?? "-"}`,
      )

    it("another office cannot redeploy, rename or re-parent; each attempt is a journaled 403", async () => {
      const before = await fingerprint(db.store())
      const unitsBefore = await unitRows(db.store())
      for (const attempt of [takenOver, renamed]) {
        const answer = await as("other-lead", "POST", "/api/v1/campaigns", attempt)
        expect(answer.status).toBe(403)
        expect(isProblem(answer)).toBe(true)
      }
      expect(await fingerprint(db.store())).toBe(before)
      expect(await unitRows(db.store())).toBe(unitsBefore)
      const denied = await denialsOf(db.store(), "tour-a")
      // The first refusal of the window is journaled, the second counted against it.
      expect(denied.map((row) => [row.actor, row.payload.action, row.payload.ref])).toEqual([
        ["other-lead", "deploy", "tour-a"],
      ])
      const counted = await sql<{ attempts: number }>`
        select attempts from denials where principal = 'other-lead' and target = 'tour-a'`.execute(db.store().db)
      expect(counted.rows).toEqual([{ attempts: 2 }])
      // The campaign is still the real coordinator's, and still hidden from the other office.
      expect((await as("lead", "GET", "/api/v1/campaigns/tour-a")).status).toBe(200)
      expect((await as("other-lead", "GET", "/api/v1/campaigns/tour-a")).status).toBe(404)
    })

    it("the real coordinator redeploys its campaign; the other campaign's unit keeps its own name", async () => {
      const answer = await as("lead", "POST", "/api/v1/campaigns", renamed)
      expect(answer.status).toBe(200)
      expect(answer.json).toMatchObject({ campaign: "tour-a", version: 2, unchanged: false })
      expect(await units("lead", "tour-a")).toContain("tour-a/district-a 甲区分局(新) ← city")
      expect(await units("other-lead", "tour-b")).toEqual([
        "tour-b/district-a 丙市甲区 ← other-city",
        "tour-b/other-city 丙市知识产权局 ← -",
        "tour-b/other-district 丙区分局 ← other-city",
      ])
    })

    it("/units lists each campaign's own units, only of campaigns the caller may see", async () => {
      expect(await units("unit-a")).toEqual([
        "tour-a/county-a1 甲一县分局 ← district-a",
        "tour-a/district-a 甲区分局(新) ← city",
        "tour-b/district-a 丙市甲区 ← other-city",
      ])
      expect(await units("other-lead", "tour-a")).toEqual([])
      expect(await units("lead", "tour-b")).toEqual([])
      expect(await units("lead", "no-such-campaign")).toEqual([])
      // The principal's unit is named by the latest deployed campaign naming it (tour-a, redeployed).
      expect((await as("unit-a", "GET", "/api/v1/me")).json.unitName).toBe("甲区分局(新)")
    })
  },
  { resetEach: false },
)
