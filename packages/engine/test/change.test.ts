import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  type Actor,
  acknowledge,
  approve,
  changeCampaign,
  closePhase,
  commonChange,
  Db,
  exportCampaign,
  operator,
  pageTasks,
  planCampaignChange,
  startCampaign,
  submitReport,
  verifyCampaign,
  verifyExport,
} from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, testEngine } from "./support.ts"

type Definition = typeof springWeek
const mutable = (): Definition => structuredClone(springWeek) as unknown as Definition

describeEachDatabase("changing a running campaign", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(() => engine.dispose())

  const taskRow = async (unit: string, task: string) => {
    const page = await engine.run(pageTasks(operator, { campaign: "spring-week" }, { limit: 500 }))
    return page.items.find((t) => t.unit === unit && t.task === task)
  }
  const timers = (unit: string) =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          db.kysely
            .selectFrom("timers")
            .innerJoin("machines", "machines.id", "timers.machine_id")
            .select(["timers.key", "timers.due_at", "timers.status"])
            .where("machines.unit_key", "=", unit)
            .where("timers.status", "=", "pending")
            .orderBy("timers.key")
            .execute(),
        ),
      ),
    )
  const journal = () =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          db.kysely
            .selectFrom("journal")
            .select(["seq", "event", "cause", "actor", "payload", "unit_key"])
            .orderBy("seq")
            .execute(),
        ),
      ),
    )
  /** County A and town A1 acknowledge and report their plans; the lead approves both (county B does nothing). */
  const planApproved = async (lead: Actor) => {
    for (const [unit, clerk] of [
      ["county-a", "clerk-a"],
      ["town-a1", "clerk-a1"],
    ] as const) {
      const actor = await engine.actor(clerk)
      await engine.run(acknowledge(`spring-week/${unit}/plan`, actor))
      const r = await engine.run(
        submitReport(`spring-week/${unit}/plan`, { narrative: { narrative: "已制定" } }, actor),
      )
      await engine.run(approve(r.report, lead))
    }
  }
  const verified = async () => {
    const online = await engine.run(verifyCampaign("spring-week", operator))
    const dir = await mkdtemp(join(tmpdir(), "liandong-change-"))
    await engine.run(exportCampaign("spring-week", operator, dir))
    const offline = await engine.run(verifyExport(dir))
    return { online: online.findings, offline: offline.findings }
  }

  it("extends one unit's deadline: planned, applied with its reason, timers moved, replay holds", async () => {
    const lead = await engine.actor("lead")
    const request = { kind: "extend", task: "plan", units: ["county-b"], deadline: "2026-04-18T18:00" } as const
    const planned = await engine.run(commonChange("spring-week", request, "", lead, true))
    expect(planned.applied).toBe(false)
    expect(planned.plan.refusals).toEqual([])
    expect(planned.plan.items).toContainEqual(
      expect.objectContaining({ kind: "deadline-moved", task: "plan", units: ["county-b"] }),
    )
    const applied = await engine.run(commonChange("spring-week", request, "乙县遇防汛任务,申请延期一天", lead))
    expect(applied).toMatchObject({ applied: true, version: 2 })
    expect((await taskRow("county-b", "plan"))?.deadline).toBe("2026-04-18T10:00:00.000Z")
    expect((await taskRow("county-a", "plan"))?.deadline).toBe("2026-04-17T10:00:00.000Z")
    const due = await timers("county-b")
    expect(due.find((t) => t.key === "deadline:plan")?.due_at).toEqual(new Date("2026-04-18T10:00:00.000Z"))
    expect(due.find((t) => t.key === "remind:plan:0")?.due_at).toEqual(new Date("2026-04-17T10:00:00.000Z"))
    const row = (await journal()).find((r) => r.event === "campaign.changed")
    expect(row).toMatchObject({ cause: "change", actor: "lead" })
    expect(row?.payload).toMatchObject({ version: 2, reason: "乙县遇防汛任务,申请延期一天", hash: applied.hash })
    // The old deadline passes: county-a is overdue, county-b is not.
    await engine.advance("2026-04-17T19:00:00+08:00")
    expect((await taskRow("county-a", "plan"))?.overdue).toBe(true)
    expect((await taskRow("county-b", "plan"))?.overdue).toBe(false)
    await engine.advance("2026-04-18T19:00:00+08:00")
    expect((await taskRow("county-b", "plan"))?.overdue).toBe(true)
    expect(await verified()).toEqual({ online: [], offline: [] })
  })

  it("adds a unit to the open phase and a task to the coming one; both replay", async () => {
    const lead = await engine.actor("lead")
    const next = mutable() as unknown as { units: unknown[]; phases: Array<{ tasks: unknown[] }> }
    next.units.push({ key: "county-c", name: "丙县知识产权局", role: "subordinate", parent: "city", level: "county" })
    const plan = next.phases[0]?.tasks[0] as { assign: { units: string[] } }
    plan.assign.units.push("county-c")
    next.phases[1]?.tasks.push({
      key: "media",
      title: { zh: "媒体宣传", en: "Media" },
      assign: { units: ["county-a", "county-c"] },
      deadline: "2026-04-25",
      figures: [{ key: "articles", label: { zh: "刊发稿件", en: "articles" }, measure: "篇" }],
    })
    const planned = await engine.run(planCampaignChange(next, lead))
    expect(planned.plan.refusals).toEqual([])
    expect(planned.plan.joining).toEqual(["county-c"])
    expect(planned.plan.opening).toEqual(["county-c"])
    expect(planned.plan.items).toContainEqual(expect.objectContaining({ kind: "task-added", task: "media" }))
    const applied = await engine.run(changeCampaign(next, "丙县新加入本次活动,并增加媒体宣传任务", lead))
    expect(applied.applied).toBe(true)
    expect((await taskRow("county-c", "plan"))?.status).toBe("assigned")
    expect((await taskRow("county-a", "media"))?.status).toBe("waiting")
    // The newcomer works like everyone else, and the phase waits for it.
    const clerkC = await engine.run(
      Effect.gen(function* () {
        const { addPrincipal } = yield* Effect.promise(() => import("../src/index.ts"))
        yield* addPrincipal({ id: "clerk-c", name: "丙县联络员", role: "unit", unit: "county-c" }, operator)
      }),
    )
    void clerkC
    const actorC = await engine.actor("clerk-c")
    await engine.run(acknowledge("spring-week/county-c/plan", actorC))
    const report = await engine.run(
      submitReport("spring-week/county-c/plan", { narrative: { narrative: "已制定方案" } }, actorC),
    )
    await engine.run(approve(report.report, lead))
    expect((await taskRow("county-c", "media"))?.status).toBe("waiting")
    await engine.run(closePhase("spring-week", "preparation", lead))
    await engine.advance("2026-04-20T09:00:00+08:00")
    expect((await taskRow("county-a", "media"))?.status).toBe("assigned")
    expect((await taskRow("county-c", "media"))?.status).toBe("assigned")
    expect(await verified()).toEqual({ online: [], offline: [] })
  })

  it("refuses unsafe changes with the reason, and changes nothing", async () => {
    const lead = await engine.actor("lead")
    const before = (await journal()).length
    const opened = mutable() as unknown as { phases: Array<{ opensAt: string }> }
    ;(opened.phases[0] as { opensAt: string }).opensAt = "2026-04-14"
    const plan = await engine.run(planCampaignChange(opened, lead))
    expect(plan.plan.refusals.map((r) => r.path)).toEqual(["phases[0].opensAt"])
    const error = await engine.failure(changeCampaign(opened, "改开始时间", lead))
    expect(error._tag).toBe("InvalidInput")
    expect(String((error as { zh?: string }).zh)).toContain("阶段已开始")
    // A reason is required; a unit may not change the campaign.
    const extend = { kind: "extend", task: "plan", deadline: "2026-04-18" } as const
    expect((await engine.failure(commonChange("spring-week", extend, " ", lead)))._tag).toBe("InvalidInput")
    expect(
      (await engine.failure(commonChange("spring-week", extend, "理由", await engine.actor("clerk-a"))))._tag,
    ).toBe("NotAllowed")
    // The deadline has passed for county-a: it cannot be extended any more.
    await engine.advance("2026-04-17T19:00:00+08:00")
    const late = await engine.failure(
      commonChange("spring-week", { ...extend, units: ["county-a"] }, "逾期后申请延期", lead),
    )
    expect(String((late as { zh?: string }).zh)).toContain("已过截止时间")
    const rows = await journal()
    expect(rows.filter((r) => r.event === "campaign.changed")).toEqual([])
    expect(rows.filter((r) => r.event === "access.denied").length).toBeGreaterThan(0)
    expect(rows.length).toBeGreaterThan(before)
  })

  it("withdraws a unit: its machine stops, the gate stops waiting for it, replay holds", async () => {
    const lead = await engine.actor("lead")
    await planApproved(lead)
    const applied = await engine.run(
      commonChange("spring-week", { kind: "withdraw-unit", unit: "county-b" }, "乙县因机构改革退出本次活动", lead),
    )
    expect(applied.plan.leaving).toEqual(["county-b"])
    // Once gone, for good: adding it back is refused by the plan.
    const again = await engine.failure(
      commonChange(
        "spring-week",
        {
          kind: "add-unit",
          unit: { key: "county-b", name: "乙县知识产权局", role: "subordinate", parent: "city" },
          tasks: ["brochures"],
        },
        "乙县要求重新加入",
        lead,
      ),
    )
    expect(String((again as { zh?: string }).zh)).toContain("已退出本活动")
    expect(await taskRow("county-b", "plan")).toBeUndefined()
    expect(await timers("county-b")).toEqual([])
    await engine.advance("2026-04-13T10:00:00+08:00")
    // Everyone left in the phase is done: it closed on the change, without waiting for county-b.
    const changed = (await journal()).find((r) => r.event === "campaign.changed")
    expect(changed).toBeDefined()
    const campaign = await engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          db.kysely
            .selectFrom("machines")
            .select(["phase", "status"])
            .where("kind", "=", "campaign")
            .executeTakeFirstOrThrow(),
        ),
      ),
    )
    expect(campaign.phase).toBe("publicity")
    expect(await verified()).toEqual({ online: [], offline: [] })
  })

  it("signs the phase a withdrawal lets close, as the change's own step", async () => {
    const lead = await engine.actor("lead")
    await planApproved(lead)
    // The campaign has counted both before the change: the change's own step closes the phase.
    await engine.advance("2026-04-13T10:00:00+08:00")
    await engine.run(commonChange("spring-week", { kind: "withdraw-unit", unit: "county-b" }, "乙县退出", lead))
    const rows = await journal()
    const changed = rows.find((r) => r.event === "campaign.changed")
    const checkpoints = await engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() => db.kysely.selectFrom("checkpoints").select(["seq", "reason"]).orderBy("seq").execute()),
      ),
    )
    expect(checkpoints).toContainEqual(expect.objectContaining({ seq: changed?.seq, reason: "phase" }))
    expect(await verified()).toEqual({ online: [], offline: [] })
  })
})

describeEachDatabase("a changed campaign's record", (ctx) => {
  it("fails verification when a version's definition is altered afterwards", async () => {
    const engine = testEngine(ctx.store())
    try {
      await deployFixture(engine)
      const lead = await engine.actor("lead")
      await engine.run(startCampaign("spring-week", lead))
      await engine.advance("2026-04-13T09:00:00+08:00")
      const request = { kind: "extend", task: "plan", units: ["county-b"], deadline: "2026-04-18T18:00" } as const
      const applied = await engine.run(commonChange("spring-week", request, "乙县申请延期", lead))
      expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
      // Someone with the database's keys moves county-b's extension back by a day.
      await ctx
        .store()
        .db.transaction()
        .execute(async (tx) => {
          // Past the append-only trigger, as a superuser could.
          await sql`set local session_replication_role = replica`.execute(tx)
          await tx
            .updateTable("definitions")
            .set({ body: sql`replace(body::text, '2026-04-18T10:00:00.000Z', '2026-04-19T10:00:00.000Z')::jsonb` })
            .where("hash", "=", applied.hash)
            .execute()
        })
      const findings = (await engine.run(verifyCampaign("spring-week", operator))).findings
      expect(findings.map((f) => f.en).join("\n")).toContain("was altered")
    } finally {
      await engine.dispose()
    }
  })
})
