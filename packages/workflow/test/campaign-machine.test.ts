import { describe, expect, it } from "vitest"
import { campaignView, compile, type FollowUp, normalizeCampaign } from "../src/index.ts"
import { week } from "./fixture.ts"
import { at, drive } from "./machine-helpers.ts"

const campaign = normalizeCampaign(week)
const t = at("2026-04-13T00:00:00Z")
const sends = (effects: ReadonlyArray<FollowUp>) =>
  effects.flatMap((e) => (e.type === "send" && "unit" in e.to ? [`${e.event.type}→${e.to.unit}`] : []))

const started = () => {
  const machine = drive(compile(campaign).campaignMachine())
  const step = machine.ok({ type: "campaign.start", by: "lead", at: t })
  return { machine, step }
}

describe("the campaign's machine", () => {
  it("schedules every phase's opening and closing when started, and cannot start twice", () => {
    const { machine, step } = started()
    expect(step.effects.map((e) => (e.type === "schedule" ? `${e.key}@${e.at}` : e.type))).toEqual([
      "open:preparation@2026-04-12T16:00:00.000Z",
      "close:preparation@2026-04-19T16:00:00.000Z",
      "open:publicity@2026-04-19T16:00:00.000Z",
      "close:publicity@2026-04-26T16:00:00.000Z",
    ])
    expect(machine.no({ type: "campaign.start", by: "lead", at: t }).zh).toContain("不能启动活动")
  })

  it("opens a due phase and tells each participant", () => {
    const { machine } = started()
    const opened = machine.ok({ type: "phase.due", phase: "preparation", at: t })
    expect(sends(opened.effects)).toEqual(["phase.open→county-a", "phase.open→county-b", "phase.open→town-a1"])
    expect(campaignView(campaign, machine.snapshot)).toMatchObject({ status: "running", phase: "preparation" })
  })

  it("with gate all, closes when every participant is done, then opens the next phase once it is due", () => {
    const { machine } = started()
    machine.ok({ type: "phase.due", phase: "preparation", at: t })
    machine.ok({ type: "phase.due", phase: "publicity", at: t })
    machine.ok({ type: "unit.phase-done", phase: "preparation", unit: "county-a", at: t })
    machine.ok({ type: "unit.phase-done", phase: "preparation", unit: "county-b", at: t })
    const last = machine.ok({ type: "unit.phase-done", phase: "preparation", unit: "town-a1", at: t })
    expect(sends(last.effects)).toEqual([
      "phase.close→county-a",
      "phase.close→county-b",
      "phase.close→town-a1",
      "phase.open→county-a",
      "phase.open→county-b",
    ])
    expect(campaignView(campaign, machine.snapshot).phases).toMatchObject({
      preparation: { state: "closed", doneCount: 3, participants: 3 },
      publicity: { state: "open" },
    })
  })

  it("sends a phase's close only where the unit has not said it finished the phase", () => {
    const { machine } = started()
    const opened = machine.ok({ type: "phase.due", phase: "preparation", at: t })
    expect(opened.effects.filter((e) => e.type === "send" && e.mootAfter !== undefined)).toEqual([])
    machine.ok({ type: "unit.phase-done", phase: "preparation", unit: "county-a", at: t })
    const closed = machine.ok({ type: "phase.force-close", phase: "preparation", by: "lead", at: t })
    // The key of the unit's own message (the unit machine's test pins its dedupe): once it was
    // sent the close is not, since the unit's region of the phase is final and would ignore it.
    expect(
      closed.effects.flatMap((e) => (e.type === "send" && e.event.type === "phase.close" ? [e.mootAfter] : [])),
    ).toEqual(["phase-done:county-a:preparation", "phase-done:county-b:preparation", "phase-done:town-a1:preparation"])
    const unit = drive(compile(campaign).unitMachine("county-a"))
    unit.ok({ type: "phase.open", phase: "preparation", at: t })
    unit.ok({ type: "task.acknowledge", task: "plan", by: "a", at: t })
    unit.ok({ type: "task.submit", task: "plan", report: "1", by: "a", at: t })
    const done = unit.ok({ type: "task.approve", task: "plan", report: "1", by: "lead", at: t })
    expect(done.effects.flatMap((e) => (e.type === "send" ? [e.dedupe] : []))).toEqual([
      "phase-done:county-a:preparation",
    ])
    expect(unit.no({ type: "phase.close", phase: "preparation", at: t }).state).toContain(`"preparation":"done"`)
  })

  it("with a quorum gate, closes once the date passed and the share is done", () => {
    const { machine } = started()
    machine.ok({ type: "phase.due", phase: "preparation", at: t })
    machine.ok({ type: "phase.force-close", phase: "preparation", by: "lead", at: t })
    machine.ok({ type: "phase.due", phase: "publicity", at: t })
    machine.ok({ type: "phase.deadline", phase: "publicity", at: t })
    expect(campaignView(campaign, machine.snapshot).phases.publicity?.state).toBe("open")
    const done = machine.ok({ type: "unit.phase-done", phase: "publicity", unit: "county-a", at: t })
    expect(done.effects).toContainEqual({ type: "summarize" })
    expect(campaignView(campaign, machine.snapshot).status).toBe("summarizing")
    machine.ok({ type: "summary.written", summary: "1", at: t })
    expect(campaignView(campaign, machine.snapshot).status).toBe("closed")
    expect(machine.no({ type: "phase.due", phase: "publicity", at: t }).en).toContain("finished")
  })

  it("with an early quorum, closes as soon as the share is done, before the date", () => {
    const early = normalizeCampaign({
      ...week,
      phases: [week.phases[0], { ...week.phases[1], gate: { quorum: 0.5, early: true } }],
    })
    expect(early.phases[1]?.gate).toEqual({ kind: "quorum", ratio: 0.5, early: true })
    const machine = drive(compile(early).campaignMachine())
    machine.ok({ type: "campaign.start", by: "lead", at: t })
    machine.ok({ type: "phase.due", phase: "preparation", at: t })
    machine.ok({ type: "phase.force-close", phase: "preparation", by: "lead", at: t })
    machine.ok({ type: "phase.due", phase: "publicity", at: t })
    // Two participants (county-a, county-b): one done is half, and the date has not passed.
    expect(campaignView(early, machine.snapshot).phases.publicity?.state).toBe("open")
    const done = machine.ok({ type: "unit.phase-done", phase: "publicity", unit: "county-b", at: t })
    expect(sends(done.effects)).toEqual(["phase.close→county-a", "phase.close→county-b"])
    expect(campaignView(early, machine.snapshot).phases.publicity?.state).toBe("closed")
  })

  it("without early, a quorum waits for the date even when the share is done", () => {
    const { machine } = started()
    machine.ok({ type: "phase.due", phase: "preparation", at: t })
    machine.ok({ type: "phase.force-close", phase: "preparation", by: "lead", at: t })
    machine.ok({ type: "phase.due", phase: "publicity", at: t })
    machine.ok({ type: "unit.phase-done", phase: "publicity", unit: "county-b", at: t })
    expect(campaignView(campaign, machine.snapshot).phases.publicity?.state).toBe("open")
    expect(campaign.phases[1]?.gate).toEqual({ kind: "quorum", ratio: 0.5 })
  })

  it("refuses to force-close a phase that is not open", () => {
    const { machine } = started()
    const rejected = machine.no({ type: "phase.force-close", phase: "publicity", by: "lead", at: t })
    expect(rejected.zh).toContain("阶段“宣传”")
    expect(machine.no({ type: "phase.due", phase: "nowhere", at: t }).zh).toBe(
      "没有阶段“nowhere”;当前可以:阶段到期开启、阶段到期、单位完成阶段、变更活动定义",
    )
  })

  it("keeps counts, not lists, in its snapshot", () => {
    const { machine } = started()
    machine.ok({ type: "phase.due", phase: "preparation", at: t })
    machine.ok({ type: "unit.phase-done", phase: "preparation", unit: "county-a", at: t })
    expect(JSON.stringify(machine.snapshot)).not.toContain("county-a")
  })
})
