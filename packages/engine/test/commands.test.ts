import { describeEachDatabase } from "@liandong/store/testing"
import { normalizeCampaign, unitView } from "@liandong/workflow"
import { Effect } from "effect"
import { sql } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  type Actor,
  acknowledge,
  approve,
  closePhase,
  deploy,
  operator,
  pageTasks,
  returnReport,
  startCampaign,
  statusTable,
  submitReport,
  type TaskFilter,
} from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, playFixture, testEngine } from "./support.ts"

/** The tasks an actor may read, the first page of up to 500. */
const tasksOf = (actor: Actor, filter: TaskFilter = {}) =>
  Effect.map(pageTasks(actor, filter, { limit: 500 }), (page) => page.items)

const countRows = async (
  engine: ReturnType<typeof testEngine>,
  table: "journal" | "reports" | "report_figures" | "machines",
) => {
  const { Db } = await import("../src/index.ts")
  const { Effect } = await import("effect")
  return engine.run(
    Effect.flatMap(Effect.service(Db), (db) =>
      Effect.promise(() =>
        db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
          .then((r) => Number(r.n)),
      ),
    ),
  )
}

describeEachDatabase("engine commands", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
  })
  afterEach(async () => {
    await engine.dispose()
  })

  const openPreparation = async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  }

  it("deploys a definition: one machine per participating unit plus the campaign's", async () => {
    const deployed = await engine.run(deploy(springWeek, operator))
    expect(deployed).toMatchObject({ campaign: "spring-week", version: 1, units: 3, unchanged: false })
    expect(await countRows(engine, "machines")).toBe(4)
    const again = await engine.run(deploy(springWeek, operator))
    expect(again.unchanged).toBe(true)
  })

  it("refuses a bad definition with every problem named, and writes nothing", async () => {
    const bad = {
      ...springWeek,
      coordinator: "nobody",
      phases: [{ ...springWeek.phases[0], tasks: [{ ...springWeek.phases[0].tasks[0], deadline: "2026-05-30" }] }],
    }
    const error = await engine.failure(deploy(bad, operator))
    expect(error._tag).toBe("InvalidInput")
    const paths = (error as unknown as { problems: Array<{ path: string }> }).problems.map((p) => p.path)
    expect(paths).toContain("coordinator")
    expect(paths.some((p) => p.includes("deadline"))).toBe(true)
    expect(await countRows(engine, "machines")).toBe(0)
    expect(await countRows(engine, "journal")).toBe(0)
  })

  it("only the coordinator starts the campaign; a unit is refused", async () => {
    await deployFixture(engine)
    const refused = await engine.failure(startCampaign("spring-week", await engine.actor("clerk-a")))
    expect(refused._tag).toBe("NotAllowed")
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    const again = await engine.failure(startCampaign("spring-week", await engine.actor("lead")))
    expect(again._tag).toBe("InvalidTransition")
  })

  it("opens the first phase when its day comes and assigns the tasks", async () => {
    await openPreparation()
    const tasks = await engine.run(tasksOf(await engine.actor("clerk-b")))
    expect(tasks.map((t) => [t.ref, t.status])).toEqual([
      ["spring-week/county-b/plan", "assigned"],
      ["spring-week/county-b/brochures", "waiting"],
    ])
  })

  it("a unit acknowledges its own task, and cannot do it twice", async () => {
    await openPreparation()
    const clerk = await engine.actor("clerk-a")
    const result = await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    expect(result.status).toBe("acknowledged")
    const twice = await engine.failure(acknowledge("spring-week/county-a/plan", clerk))
    expect(twice._tag).toBe("InvalidTransition")
    expect((twice as { zh: string }).zh).toMatch(/确认/)
  })

  it("another unit's task is not found; a subordinate's is visible but not actionable", async () => {
    await openPreparation()
    const notMine = await engine.failure(acknowledge("spring-week/county-a/plan", await engine.actor("clerk-b")))
    expect(notMine._tag).toBe("NotFound")
    const subordinate = await engine.failure(acknowledge("spring-week/town-a1/plan", await engine.actor("clerk-a")))
    expect(subordinate._tag).toBe("NotAllowed")
    const coordinator = await engine.failure(acknowledge("spring-week/county-a/plan", await engine.actor("lead")))
    expect(coordinator._tag).toBe("NotAllowed")
    const auditor = await engine.failure(acknowledge("spring-week/county-a/plan", await engine.actor("auditor")))
    expect(auditor._tag).toBe("NotAllowed")
    const seenByA = await engine.run(tasksOf(await engine.actor("clerk-a"), { campaign: "spring-week" }))
    expect(new Set(seenByA.map((t) => t.unit))).toEqual(new Set(["county-a", "town-a1"]))
  })

  it("a report with a bad figure is refused field by field and changes nothing", async () => {
    await openPreparation()
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    await engine.run(submitReport("spring-week/county-a/plan", { narrative: { narrative: "方案已制定" } }, clerk))
    await engine.run(approve("spring-week/county-a/plan", await engine.actor("lead")))
    await engine.run(acknowledge("spring-week/county-b/plan", await engine.actor("clerk-b")))
    const journalBefore = await countRows(engine, "journal")
    const reportsBefore = await countRows(engine, "reports")
    const error = await engine.failure(
      submitReport(
        "spring-week/county-b/plan",
        { figures: { nonsense: "1" }, narrative: {} },
        await engine.actor("clerk-b"),
      ),
    )
    expect(error._tag).toBe("InvalidInput")
    const paths = (error as unknown as { problems: Array<{ path: string }> }).problems.map((p) => p.path)
    expect(paths).toEqual(expect.arrayContaining(["figures.nonsense", "narrative.narrative"]))
    expect(await countRows(engine, "journal")).toBe(journalBefore)
    expect(await countRows(engine, "reports")).toBe(reportsBefore)
  })

  it("a report breaking a rule between its figures is refused with the field named, and nothing is stored", async () => {
    await deployFixture(engine)
    const [preparation, ...rest] = springWeek.phases
    const plan = preparation.tasks[0]
    const withRule = {
      ...springWeek,
      key: "rule-week",
      phases: [
        {
          ...preparation,
          tasks: [
            {
              ...plan,
              figures: [
                { key: "invited", label: { zh: "邀请单位", en: "Units invited" }, measure: "家" },
                { key: "attended", label: { zh: "参会单位", en: "Units attending" }, measure: "家" },
              ],
              rules: ["attended <= invited"],
            },
          ],
        },
        ...rest,
      ],
    }
    await engine.run(deploy(withRule, operator))
    await engine.run(startCampaign("rule-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("rule-week/county-a/plan", clerk))
    const before = await Promise.all(
      ["journal", "reports", "report_figures"].map((t) => countRows(engine, t as "journal")),
    )
    const error = await engine.failure(
      submitReport(
        "rule-week/county-a/plan",
        { figures: { invited: 20, attended: 25 }, narrative: { narrative: "已召开推进会" } },
        clerk,
      ),
    )
    expect(error._tag).toBe("InvalidInput")
    expect((error as unknown as { problems: unknown }).problems).toEqual([
      {
        path: "figures.attended",
        zh: "“参会单位”（25）应不大于“邀请单位”（20）",
        en: '"Units attending" (25) must be at most "Units invited" (20)',
      },
    ])
    const after = await Promise.all(
      ["journal", "reports", "report_figures"].map((t) => countRows(engine, t as "journal")),
    )
    expect(after).toEqual(before)
    const accepted = await engine.run(
      submitReport(
        "rule-week/county-a/plan",
        { figures: { invited: 20, attended: 18 }, narrative: { narrative: "已召开推进会" } },
        clerk,
      ),
    )
    expect(accepted.attempt).toBe(1)
  })

  it("a step writes the task rows it changed, and the rows stay the machine's view", async () => {
    await openPreparation()
    const clerk = await engine.actor("clerk-a")
    const rows = async () =>
      (
        await sql<{ task_key: string; status: string; updated_at: Date }>`select task_key, status, updated_at
          from tasks where campaign_id = 'spring-week' and unit_key = 'county-a' order by task_key`.execute(
          ctx.store().db,
        )
      ).rows
    const before = await rows()
    await engine.advance("2026-04-14T09:00:00+08:00")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const after = await rows()
    const changed = after.filter((row, i) => row.updated_at.getTime() !== before[i]?.updated_at.getTime())
    expect(changed.map((row) => [row.task_key, row.status])).toEqual([["plan", "acknowledged"]])
    // Every row as the unit's view of its snapshot says, the unchanged ones included.
    const [machine] = (
      await sql<{ snapshot: unknown }>`select snapshot from machines
        where campaign_id = 'spring-week' and unit_key = 'county-a'`.execute(ctx.store().db)
    ).rows
    const view = unitView(normalizeCampaign(springWeek), "county-a", machine?.snapshot)
    expect(after.map((row) => [row.task_key, row.status])).toEqual(
      view.tasks.map((t) => [t.task, t.status]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    )
  })

  it("submit, return with a reason, resubmit, approve", async () => {
    await openPreparation()
    const clerk = await engine.actor("clerk-b")
    const lead = await engine.actor("lead")
    await engine.run(acknowledge("spring-week/county-b/plan", clerk))
    const first = await engine.run(
      submitReport("spring-week/county-b/plan", { narrative: { narrative: "初稿" } }, clerk),
    )
    const unitApproves = await engine.failure(approve(first.report, clerk))
    expect(unitApproves._tag).toBe("NotAllowed")
    const empty = await engine.failure(returnReport(first.report, "  ", lead))
    expect(empty._tag).toBe("InvalidInput")
    await engine.run(returnReport(first.report, "请补充分工安排", lead))
    const [returned] = await engine.run(tasksOf(clerk, { campaign: "spring-week", status: "returned" }))
    expect(returned?.returns).toBe(1)
    const second = await engine.run(
      submitReport("spring-week/county-b/plan", { narrative: { narrative: "修改稿" } }, clerk),
    )
    expect(second.attempt).toBe(2)
    const stale = await engine.failure(approve(first.report, lead))
    expect(stale._tag).toBe("InvalidTransition")
    await engine.run(approve(second.report, lead))
    const [approved] = await engine.run(tasksOf(clerk, { campaign: "spring-week", status: "approved" }))
    expect(approved?.ref).toBe("spring-week/county-b/plan")
  })

  it("an idempotency key replays the first answer and refuses a different request", async () => {
    await openPreparation()
    const clerk = await engine.actor("clerk-a")
    const first = await engine.run(acknowledge("spring-week/county-a/plan", clerk, { idempotencyKey: "k1" }))
    const replay = await engine.run(acknowledge("spring-week/county-a/plan", clerk, { idempotencyKey: "k1" }))
    expect(replay).toEqual({ ...first, replayed: true })
    const conflict = await engine.failure(acknowledge("spring-week/town-a1/plan", clerk, { idempotencyKey: "k1" }))
    expect(["IdempotencyConflict", "NotAllowed"]).toContain(conflict._tag)
    const body = { narrative: { narrative: "方案" } }
    const report = await engine.run(submitReport("spring-week/county-a/plan", body, clerk, { idempotencyKey: "r1" }))
    const again = await engine.run(submitReport("spring-week/county-a/plan", body, clerk, { idempotencyKey: "r1" }))
    expect(again.report).toBe(report.report)
    expect(await countRows(engine, "reports")).toBe(1)
    const different = await engine.failure(
      submitReport("spring-week/county-a/plan", { narrative: { narrative: "另一个" } }, clerk, {
        idempotencyKey: "r1",
      }),
    )
    expect(different._tag).toBe("IdempotencyConflict")
  })

  it("reminds before the deadline, marks overdue after it, and the late report still counts", async () => {
    await openPreparation()
    await engine.advance("2026-04-16T18:00:00+08:00")
    let [task] = await engine.run(tasksOf(await engine.actor("clerk-b"), { campaign: "spring-week", unit: "county-b" }))
    expect(task).toMatchObject({ task: "plan", reminded: 1, overdue: false })
    await engine.advance("2026-04-17T18:00:00+08:00")
    ;[task] = await engine.run(tasksOf(await engine.actor("clerk-b"), { campaign: "spring-week", unit: "county-b" }))
    expect(task).toMatchObject({ task: "plan", overdue: true })
    const status = await engine.run(statusTable("spring-week", await engine.actor("lead")))
    expect(status.rows.find((r) => r.unit === "county-b")?.phases.preparation?.overdue).toBe(true)
  })

  it("journals every refused attempt, while the caller gets not found or not allowed", async () => {
    await openPreparation()
    const clerkB = await engine.actor("clerk-b")
    await engine.failure(acknowledge("spring-week/county-a/plan", clerkB))
    const clerkA = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerkA))
    const report = await engine.run(
      submitReport("spring-week/county-a/plan", { narrative: { narrative: "方案" } }, clerkA),
    )
    await engine.failure(approve(report.report, clerkA))
    await engine.failure(startCampaign("spring-week", await engine.actor("auditor")))
    const denied = await ctx
      .store()
      .db.selectFrom("journal")
      .select(["actor", "payload", "cause"])
      .where("event", "=", "access.denied")
      .orderBy("seq")
      .execute()
    expect(denied.map((d) => [d.actor, (d.payload as { action: string }).action, d.cause])).toEqual([
      ["clerk-b", "acknowledge", "denied"],
      ["clerk-a", "approve", "denied"],
      ["auditor", "start", "denied"],
    ])
  })

  it("redeploys a changed definition before start, but not after", async () => {
    await deployFixture(engine)
    const changed = { ...springWeek, title: "测试宣传周(修订)" }
    const second = await engine.run(deploy(changed, operator))
    expect(second).toMatchObject({ version: 2, unchanged: false })
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    const refused = await engine.failure(deploy({ ...springWeek, title: "再改" }, operator))
    expect(refused._tag).toBe("CampaignState")
  })

  it("the coordinator closes an open phase early; units' open tasks close with it", async () => {
    await openPreparation()
    const unit = await engine.failure(closePhase("spring-week", "preparation", await engine.actor("clerk-a")))
    expect(unit._tag).toBe("NotAllowed")
    const notOpen = await engine.failure(closePhase("spring-week", "publicity", await engine.actor("lead")))
    expect(notOpen._tag).toBe("InvalidTransition")
    await engine.run(closePhase("spring-week", "preparation", await engine.actor("lead")))
    await engine.advance("2026-04-13T10:00:00+08:00")
    const tasks = await engine.run(tasksOf(await engine.actor("lead"), { campaign: "spring-week" }))
    expect(tasks.filter((t) => t.phase === "preparation").map((t) => t.status)).toEqual(["closed", "closed", "closed"])
    const late = await engine.failure(acknowledge("spring-week/county-a/plan", await engine.actor("clerk-a")))
    expect((late as { zh: string }).zh).toContain("已结束")
  })

  it("runs the whole campaign to its summary", async () => {
    await deployFixture(engine)
    const lead = await engine.actor("lead")
    await engine.run(startCampaign("spring-week", lead))
    await playFixture(engine)
    const tally = await engine.advance("2026-04-26T12:00:00+08:00")
    expect(tally.failed).toBe(0)
    const status = await engine.run(statusTable("spring-week", lead))
    expect(status.status).toBe("closed")
    expect(status.rows.every((r) => Object.values(r.phases).every((c) => c === null || c.state === "done"))).toBe(true)
    const { summaryFor } = await import("../src/index.ts")
    const summary = await engine.run(summaryFor("spring-week", lead))
    expect(summary.draft).toBe(false)
    expect(summary.content).toContain("10000多份")
  })
})
