/**
 * A campaign belongs to its coordinator: a coordinator of another office cannot
 * redeploy it, rename or re-parent its units, or act on it; each refused redeploy is
 * journaled in the campaign's own chain. Units belong to their campaign: two campaigns
 * naming one office keep their own name and hierarchy.
 */
import type { Database } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import type { Kysely } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  type Actor,
  addPrincipal,
  checkpointNow,
  closePhase,
  Db,
  deploy,
  describePrincipal,
  operator,
  pageUnits,
  startCampaign,
  summaryFor,
  visibleCampaign,
} from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, testEngine } from "./support.ts"

/** Another city's campaign, which also names county-a: under itself, by another name. */
const autumnWeek = {
  ...springWeek,
  key: "autumn-week",
  title: "外市宣传周",
  coordinator: "other-city",
  units: [
    { key: "other-city", name: "丙市知识产权局", role: "host", level: "city" },
    { key: "county-a", name: "丙市甲县", role: "subordinate", parent: "other-city", level: "county" },
  ],
  phases: springWeek.phases.map((phase) => ({
    ...phase,
    tasks: phase.tasks.map((task) => ({ ...task, assign: { units: ["county-a"] } })),
  })),
}

/** spring-week as another office would like it: coordinated by itself, county-a renamed and moved under it. */
const takenOver = {
  ...springWeek,
  coordinator: "other-city",
  units: [
    { key: "other-city", name: "丙市知识产权局", role: "host", level: "city" },
    ...springWeek.units.map((u) => (u.key === "county-a" ? { ...u, name: "被改名的甲县", parent: "other-city" } : u)),
  ],
}

const renamed = {
  ...springWeek,
  units: springWeek.units.map((u) => (u.key === "county-a" ? { ...u, name: "被改名的甲县" } : u)),
}

describeEachDatabase("campaign ownership", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  let otherLead: Actor
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(deploy(autumnWeek, operator))
    await engine.run(
      addPrincipal({ id: "other-lead", name: "丙市局长", role: "coordinator", unit: "other-city" }, operator),
    )
    otherLead = await engine.actor("other-lead")
  })
  afterEach(async () => {
    await engine.dispose()
  })

  const sqlRows = <A>(run: (db: Kysely<Database>) => Promise<A>) =>
    engine.run(Effect.flatMap(Effect.service(Db), (db) => Effect.promise(() => run(db.kysely))))

  const denials = (campaign: string) =>
    sqlRows((db) =>
      db
        .selectFrom("journal")
        .select(["actor", "payload"])
        .where("campaign_id", "=", campaign)
        .where("event", "=", "access.denied")
        .orderBy("seq")
        .execute(),
    )

  const unitsOf = async (actor: Actor, campaign: string) =>
    (await engine.run(pageUnits(actor, { campaign }, {}))).items.map((u) => [u.key, u.name, u.parent])

  const springUnits = springWeek.units.map((u) => [u.key, u.name, "parent" in u ? u.parent : null])

  it("another office cannot redeploy, rename or re-parent a campaign; each attempt is refused and journaled", async () => {
    for (const attempt of [takenOver, renamed, springWeek]) {
      const refused = await engine.failure(deploy(attempt, otherLead))
      expect(refused._tag).toBe("NotAllowed")
    }
    // The first refusal of the window is journaled; the two after it are counted against it.
    const rows = await denials("spring-week")
    expect(rows).toHaveLength(1)
    const counted = await sqlRows((db) =>
      db
        .selectFrom("denials")
        .select(["attempts"])
        .where("principal", "=", "other-lead")
        .where("target", "=", "spring-week")
        .execute(),
    )
    expect(counted).toEqual([{ attempts: 3 }])
    for (const row of rows) {
      expect(row.actor).toBe("other-lead")
      expect(row.payload).toMatchObject({ type: "access.denied", action: "deploy", ref: "spring-week" })
    }
    // Nothing else changed: one version, the same coordinator, the same units.
    const versions = await sqlRows((db) =>
      db.selectFrom("definitions").select("version").where("key", "=", "spring-week").execute(),
    )
    expect(versions).toEqual([{ version: 1 }])
    const lead = await engine.actor("lead")
    expect(await unitsOf(lead, "spring-week")).toEqual(springUnits)
    expect((await engine.run(visibleCampaign("spring-week", lead))).definition.coordinator).toBe("city")
  })

  it("the real coordinator still sees and redeploys its campaign, but not into another office's hands", async () => {
    const lead = await engine.actor("lead")
    const handedOver = await engine.failure(deploy({ ...springWeek, coordinator: "county-a" }, lead))
    expect(handedOver._tag).toBe("NotAllowed")
    expect(await denials("spring-week")).toHaveLength(1)
    const again = await engine.run(deploy(renamed, lead))
    expect(again).toMatchObject({ campaign: "spring-week", version: 2, unchanged: false })
    expect((await unitsOf(lead, "spring-week")).find(([key]) => key === "county-a")).toEqual([
      "county-a",
      "被改名的甲县",
      "city",
    ])
    // The other campaign's county-a is untouched.
    expect(await unitsOf(otherLead, "autumn-week")).toEqual([
      ["county-a", "丙市甲县", "other-city"],
      ["other-city", "丙市知识产权局", null],
    ])
  })

  it("a new campaign must be coordinated by its deployer; refused, it leaves nothing", async () => {
    const stolenDefinition = {
      ...autumnWeek,
      key: "stolen",
      coordinator: "city",
      units: [springWeek.units[0], ...autumnWeek.units],
    }
    const refused = await engine.failure(deploy(stolenDefinition, otherLead))
    expect(refused._tag).toBe("NotAllowed")
    const stolen = await sqlRows((db) =>
      db.selectFrom("units").select("key").where("campaign_id", "=", "stolen").execute(),
    )
    expect(stolen).toEqual([])
  })

  it("every coordinator action on another office's campaign is refused", async () => {
    const refusals = [
      await engine.failure(startCampaign("spring-week", otherLead)),
      await engine.failure(closePhase("spring-week", "preparation", otherLead)),
      await engine.failure(checkpointNow("spring-week", otherLead)),
      await engine.failure(summaryFor("spring-week", otherLead)),
    ]
    for (const refused of refusals) expect(["NotFound", "NotAllowed"]).toContain(refused._tag)
    const status = await sqlRows((db) =>
      db.selectFrom("campaigns").select("status").where("id", "=", "spring-week").executeTakeFirst(),
    )
    expect(status).toEqual({ status: "deployed" })
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
  })

  it("two campaigns naming one office keep their own name and parent", async () => {
    // Deploying a new campaign of its own that renames county-a changes only that campaign.
    await engine.run(
      deploy(
        {
          ...autumnWeek,
          key: "winter-week",
          units: [autumnWeek.units[0], { ...autumnWeek.units[1], name: "冬季甲县" }],
        },
        otherLead,
      ),
    )
    const auditor = await engine.actor("auditor")
    const all = await engine.run(pageUnits(auditor, {}, {}))
    expect(all.items.filter((u) => u.key === "county-a").map((u) => [u.campaign, u.name, u.parent])).toEqual([
      ["autumn-week", "丙市甲县", "other-city"],
      ["spring-week", "甲县知识产权局", "city"],
      ["winter-week", "冬季甲县", "other-city"],
    ])
    // Pages walk (campaign, key) in order.
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await engine.run(pageUnits(auditor, {}, { limit: 2, cursor }))
      seen.push(...page.items.map((u) => `${u.campaign}/${u.key}`))
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    expect(seen).toEqual(all.items.map((u) => `${u.campaign}/${u.key}`))
    // A unit sees itself and its subordinates in each campaign's own hierarchy.
    const clerk = await engine.actor("clerk-a")
    expect(await unitsOf(clerk, "spring-week")).toEqual([
      ["county-a", "甲县知识产权局", "city"],
      ["town-a1", "甲县一镇", "county-a"],
    ])
    expect(await unitsOf(clerk, "autumn-week")).toEqual([["county-a", "丙市甲县", "other-city"]])
    // A coordinator lists only the campaigns it runs.
    expect(await unitsOf(otherLead, "spring-week")).toEqual([])
    // The principal's unit is named as the latest deployed campaign naming it names it.
    expect((await engine.run(describePrincipal(clerk))).unitName).toBe("冬季甲县")
  })
})
