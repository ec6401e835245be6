/**
 * How many statements a command sends: each is a round trip to the database, and on a busy
 * machine the round trips are most of a command's CPU (docs/performance.md). Counted at the
 * pg client, which both databases go through.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  acknowledge,
  approve,
  commonChange,
  deliverNotices,
  operator,
  pageTasks,
  startCampaign,
  submitReport,
  verifyCampaign,
  workerPass,
} from "../src/index.ts"
import { counted, deployFixture, testEngine } from "./support.ts"

const body = { narrative: { narrative: "已制定方案", difficulties: "资金紧缺" } }

const loadsCampaign = (statement: string) => statement.startsWith('select "campaigns".*')
const writesStepsAlone = (statement: string) => statement.startsWith("with next as ( select s.* from liandong_rows")

describeEachDatabase("round trips a command", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(async () => {
    await engine.dispose()
  })

  it("a lone command with an idempotency key makes a bounded number of round trips", async () => {
    const clerk = await engine.actor("clerk-a")
    // Once first, so what is loaded once a process (the definition) is loaded.
    await engine.run(acknowledge("spring-week/county-b/plan", await engine.actor("clerk-b")))
    const ack = await counted(() =>
      engine.run(acknowledge("spring-week/county-a/plan", clerk, { idempotencyKey: "k1" })),
    )
    const report = await counted(() =>
      engine.run(submitReport("spring-week/county-a/plan", body, clerk, { idempotencyKey: "k2" })),
    )
    console.log(`[round trips] acknowledge ${ack.statements.length}: ${ack.statements.join(" | ")}`)
    console.log(`[round trips] report ${report.statements.length}: ${report.statements.join(" | ")}`)
    const lead = await engine.actor("lead")
    const review = await counted(() => engine.run(approve(String(report.value.report), lead, { idempotencyKey: "k3" })))
    console.log(`[round trips] approve ${review.statements.length}: ${review.statements.join(" | ")}`)
    await engine.run(submitReport("spring-week/county-b/plan", body, await engine.actor("clerk-b")))
    const byTask = await counted(() => engine.run(approve("spring-week/county-b/plan", lead, { idempotencyKey: "k4" })))
    console.log(`[round trips] approve by task ${byTask.statements.length}: ${byTask.statements.join(" | ")}`)
    expect(byTask.value).toMatchObject({ task: "spring-week/county-b/plan", status: "approved", replayed: false })
    // The machine locked, its due items and the key claimed (the transaction's begin sent with
    // it; a report's place taken there too); the step with the journal and the key's answer, a
    // report's rows or a review's (the commit sent with them). A review named by its report's id
    // finds the report first (a task's reference names the campaign and unit). The campaign is
    // this process's copy after the first command: no statement loads it. An approval, which may
    // finish its unit's phase, locks the campaign's machine for its fan-in (`FanIn.ts`) in the
    // statement that locks its unit's, instead of a statement of its own or a worker's pass.
    expect(ack.statements.length).toBeLessThanOrEqual(2)
    expect(report.statements.length).toBeLessThanOrEqual(2)
    expect(review.statements.length).toBeLessThanOrEqual(3)
    expect(byTask.statements.length).toBeLessThanOrEqual(2)
    const locksWithFanIn = (statement: string) =>
      statement.startsWith("with asked as materialized") && statement.includes("fan_in_locked as materialized")
    const fanInAlone = (statement: string) => statement.startsWith("with fan_in_locked as")
    for (const counted of [review, byTask]) {
      expect(counted.texts.filter(locksWithFanIn)).toHaveLength(1)
      expect(counted.texts.filter(fanInAlone)).toEqual([])
    }
    for (const counted of [ack, report]) expect(counted.texts.filter(locksWithFanIn)).toEqual([])
    // Both units' counts were applied by their approvals: none is left to the workers.
    const counts = await ctx
      .store()
      .db.selectFrom("messages")
      .select("status")
      .where("dedupe_key", "in", [
        "spring-week:phase-done:county-a:preparation",
        "spring-week:phase-done:county-b:preparation",
      ])
      .execute()
    expect(counts.map((row) => row.status)).toEqual(["done", "done"])
    const all = [ack, report, review, byTask]
    // A report's rows and a review go with the step.
    const writesReport = (statement: string) =>
      /^(select nextval|insert into "?reports|update "?reports)/.test(statement)
    for (const counted of all) expect(counted.statements.filter(writesReport)).toEqual([])
    // No step goes alone: each is written by the journal's append.
    for (const counted of all) expect(counted.statements.filter(writesStepsAlone)).toEqual([])
    const control = (statement: string) => statement === "begin" || statement === "commit"
    for (const counted of all) expect(counted.statements.filter(control)).toEqual([])
    const storesAnswer = (statement: string) => statement.startsWith("update command_results")
    for (const counted of all) expect(counted.statements.filter(storesAnswer)).toEqual([])
    for (const counted of all) expect(counted.statements.filter(loadsCampaign)).toEqual([])
    const replay = await counted(() =>
      engine.run(acknowledge("spring-week/county-a/plan", clerk, { idempotencyKey: "k1" })),
    )
    expect(replay.value).toEqual({ ...ack.value, replayed: true })
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("a command on a campaign changed since this process loaded it runs again on a fresh copy", async () => {
    const clerk = await engine.actor("clerk-a")
    const lead = await engine.actor("lead")
    // The process's copy of the campaign, loaded by a first command.
    await engine.run(acknowledge("spring-week/county-b/plan", await engine.actor("clerk-b")))
    const request = { kind: "extend", task: "plan", units: ["county-a"], deadline: "2026-04-18T18:00" } as const
    await engine.run(commonChange("spring-week", request, "甲县申请延期一天", lead))
    const ack = await counted(() =>
      engine.run(acknowledge("spring-week/county-a/plan", clerk, { idempotencyKey: "k1" })),
    )
    console.log(`[round trips] acknowledge after a change ${ack.statements.length}: ${ack.statements.join(" | ")}`)
    // Its machine's lock found the copy stale (that attempt rolled back, its key unclaimed); the
    // campaign loaded afresh, the command ran again.
    expect(ack.value).toMatchObject({ status: "acknowledged", replayed: false })
    expect(ack.statements.filter(loadsCampaign)).toHaveLength(1)
    expect(ack.statements.filter((statement) => statement.startsWith("with asked as"))).toHaveLength(2)
    const report = await counted(() => engine.run(submitReport("spring-week/county-a/plan", body, clerk)))
    expect(report.statements.filter(loadsCampaign)).toEqual([])
    const tasks = await engine.run(pageTasks(operator, { campaign: "spring-week" }, { limit: 50 }))
    expect(tasks.items.find((t) => t.unit === "county-a" && t.task === "plan")?.deadline).toBe(
      "2026-04-18T10:00:00.000Z",
    )
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("a worker pass with nothing due makes one statement", async () => {
    // Everything due now is applied; a pass woken for nothing claims nothing and delivers nothing.
    await engine.advance("2026-04-13T09:00:00+08:00")
    await engine.run(deliverNotices(new Date("2026-04-13T01:00:00Z")))
    const pass = await counted(() => engine.run(workerPass(new Date("2026-04-13T01:00:00Z"))))
    console.log(`[round trips] idle worker pass ${pass.statements.length}: ${pass.statements.join(" | ")}`)
    expect(pass.value.tally).toEqual({ applied: 0, moot: 0, summaries: 0, failed: 0 })
    expect(pass.value.notices).toEqual({ expanded: 0, sent: 0, failed: 0, parked: 0 })
    // The fixture's next reminder or deadline: what the worker sleeps until at most.
    expect(pass.value.nextDue?.getTime()).toBeGreaterThan(new Date("2026-04-13T01:00:00Z").getTime())
    // One look: nothing due, no notices to deliver, and the next timer.
    expect(pass.statements).toHaveLength(1)
  })

  it("a worker pass that applies what fell due claims once, and never again to find nothing", async () => {
    await engine.run(deliverNotices(new Date("2026-04-13T01:00:00Z")))
    const idle = await engine.run(workerPass(new Date("2026-04-13T01:00:00Z")))
    const due = idle.nextDue
    if (due === null) throw new Error("the fixture has a timer to come")
    const pass = await counted(() => engine.run(workerPass(due)))
    console.log(`[round trips] a pass applying timers ${pass.statements.length}: ${pass.statements.join(" | ")}`)
    expect(pass.value.tally.applied).toBeGreaterThan(0)
    const claims = pass.statements.filter((statement) => statement.includes("with horizon as"))
    const looks = pass.statements.filter((statement) => statement.includes("select coalesce((select true from no"))
    // The look finds the timers due; one claim takes them all (less than a batch); the look after
    // it finds nothing more, so no claim follows.
    expect(claims).toHaveLength(1)
    expect(looks).toHaveLength(2)
    // The claim's machines' steps, however many, are written by its journal append.
    expect(pass.statements.filter(writesStepsAlone)).toEqual([])
    const appendsWithSteps = (statement: string) => statement.startsWith("/* then commit */ with next as")
    expect(pass.statements.filter(appendsWithSteps)).toHaveLength(1)
    // The campaign comes with its machines' lock, not by a statement of its own.
    expect(pass.statements.filter(loadsCampaign)).toEqual([])
    // Everything due was applied: a pass at the same time finds nothing.
    const again = await counted(() => engine.run(workerPass(due)))
    expect(again.value.tally).toEqual({ applied: 0, moot: 0, summaries: 0, failed: 0 })
    expect(again.statements.filter((statement) => statement.includes("with horizon as"))).toEqual([])
  })

  it("a notice its unit's contacts read only in the app is shown by its step: the worker's pass only looks", async () => {
    await engine.run(deliverNotices(new Date("2026-04-13T01:00:00Z")))
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const report = await engine.run(submitReport("spring-week/county-a/plan", body, clerk))
    // The approval notifies the unit; no contact has an email address, no campaign a webhook.
    await engine.run(approve(String(report.report), await engine.actor("lead")))
    const shown = await ctx
      .store()
      .db.selectFrom("deliveries as d")
      .innerJoin("notifications as n", "n.id", "d.notification_id")
      .select(["d.principal_id", "d.channel", "d.status", "n.kind", "n.expanded_at"])
      .where("n.kind", "=", "approved")
      .execute()
    expect(shown.map((row) => [row.principal_id, row.channel, row.status, row.kind])).toEqual([
      ["clerk-a", "in-app", "sent", "approved"],
    ])
    expect(shown[0]?.expanded_at).not.toBeNull()
    const pass = await counted(() => engine.run(deliverNotices(new Date("2026-04-13T01:00:00Z"))))
    expect(pass.value).toEqual({ expanded: 0, sent: 0, failed: 0, parked: 0 })
    expect(pass.statements).toHaveLength(1)
  })

  it("a worker pass fanning out a notice makes one transaction for it, and none for what is not due", async () => {
    await engine.run(deliverNotices(new Date("2026-04-13T01:00:00Z")))
    // An address on file: the notice is the fan-out's (by email, were mail on).
    await ctx
      .store()
      .db.updateTable("principals")
      .set({ email: "clerk-a@example.gov.cn" })
      .where("id", "=", "clerk-a")
      .execute()
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const report = await engine.run(submitReport("spring-week/county-a/plan", body, clerk))
    // The approval notifies the unit; no campaign has a webhook, and mail is off.
    await engine.run(approve(String(report.report), await engine.actor("lead")))
    const pass = await counted(() => engine.run(deliverNotices(new Date("2026-04-13T01:00:00Z"))))
    console.log(`[round trips] a notice's fan-out ${pass.statements.length}: ${pass.statements.join(" | ")}`)
    expect(pass.value).toEqual({ expanded: 1, sent: 0, failed: 0, parked: 0 })
    // The look, then one fan-out: it took less than a batch, so it took all there was.
    const claims = (statement: string) => statement.startsWith("with n as materialized ( select id, campaign_id")
    expect(pass.statements.filter(claims)).toHaveLength(1)
    // The look; the notices with their contacts and endpoints (the transaction's begin sent
    // with it); the deliveries and the mark (its commit sent with them).
    expect(pass.statements.length).toBeLessThanOrEqual(3)
  })
})
