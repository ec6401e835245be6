import { describe, expect, it } from "vitest"
import { compile, normalizeCampaign, unitView } from "../src/index.ts"
import { week } from "./fixture.ts"
import { at, drive } from "./machine-helpers.ts"

const campaign = normalizeCampaign(week)
const compiled = compile(campaign)
const t = at("2026-04-20T02:00:00Z")

const openPublicity = () => {
  const unit = drive(compiled.unitMachine("county-a"))
  unit.ok({ type: "phase.open", phase: "preparation", at: at("2026-04-13T00:00:00Z") })
  return unit
}

describe("a unit's machine", () => {
  it("cannot act before its phase opens", () => {
    const unit = drive(compiled.unitMachine("county-a"))
    const rejected = unit.no({ type: "task.acknowledge", task: "plan", by: "a", at: t })
    expect(rejected.zh).toBe("阶段“筹备”尚未开始,不能确认接收任务“制定工作方案”")
    expect(rejected.en).toContain("has not opened")
  })

  it("says a task is acknowledged before it is reported", () => {
    const unit = openPublicity()
    const rejected = unit.no({ type: "task.submit", task: "plan", report: "1", by: "a", at: t })
    expect(rejected.zh).toMatch(/^任务“制定工作方案”尚未确认接收，请先确认接收再报送/)
    expect(rejected.en).toMatch(/^task "plan" has not been acknowledged; acknowledge it first, then report/)
  })

  it("schedules the deadline and the reminders still ahead when its phase opens", () => {
    const unit = drive(compiled.unitMachine("county-a"))
    unit.ok({ type: "phase.open", phase: "preparation", at: at("2026-04-13T00:00:00Z") })
    const step = unit.ok({ type: "phase.open", phase: "publicity", at: at("2026-04-25T12:00:00Z") })
    expect(step.effects).toEqual([
      {
        type: "schedule",
        key: "deadline:brochures",
        at: "2026-04-26T04:00:00.000Z",
        event: { type: "task.deadline", task: "brochures" },
      },
      {
        type: "schedule",
        key: "remind:brochures:1",
        at: "2026-04-26T00:00:00.000Z",
        event: { type: "task.remind", task: "brochures" },
      },
      {
        type: "schedule",
        key: "deadline:stalls",
        at: "2026-04-25T16:00:00.000Z",
        event: { type: "task.deadline", task: "stalls" },
      },
      { type: "notify", unit: "county-a", kind: "phase-opened", phase: "publicity" },
    ])
  })

  it("goes assigned → acknowledged → submitted → returned → submitted → approved, with its follow-ups", () => {
    const unit = openPublicity()
    expect(unit.ok({ type: "task.acknowledge", task: "plan", by: "a", at: t }).to).toBe(
      "{preparation:open.plan.acknowledged,publicity:waiting}",
    )
    const submitted = unit.ok({ type: "task.submit", task: "plan", report: "1", by: "a", at: t })
    expect(submitted.effects).toEqual([{ type: "cancel", key: "remind:plan:0" }])
    const returned = unit.ok({ type: "task.return", task: "plan", report: "1", reason: "请补充", by: "lead", at: t })
    expect(returned.effects).toEqual([{ type: "notify", unit: "county-a", kind: "returned", task: "plan" }])
    expect(unit.no({ type: "task.approve", task: "plan", report: "1", by: "lead", at: t }).state).toContain("returned")
    unit.ok({ type: "task.submit", task: "plan", report: "2", by: "a", at: t })
    expect(unit.no({ type: "task.approve", task: "plan", report: "1", by: "lead", at: t }).state).toContain("submitted")
    const approved = unit.ok({ type: "task.approve", task: "plan", report: "2", by: "lead", at: t })
    expect(approved.to).toContain("preparation:done")
    expect(approved.effects).toEqual([
      { type: "cancel", key: "deadline:plan" },
      { type: "notify", unit: "county-a", kind: "approved", task: "plan" },
      {
        type: "send",
        to: { campaign: true },
        dedupe: "phase-done:county-a:preparation",
        event: { type: "unit.phase-done", phase: "preparation", unit: "county-a" },
      },
    ])
    const view = unitView(campaign, "county-a", unit.snapshot).tasks.find((task) => task.task === "plan")
    expect(view).toMatchObject({ status: "approved", returns: 1, report: "2", overdue: false })
  })

  it("records reminders and marks overdue at the deadline; a report after it is still taken", () => {
    const unit = openPublicity()
    const reminded = unit.ok({ type: "task.remind", task: "plan", at: t })
    expect(reminded.effects).toEqual([{ type: "notify", unit: "county-a", kind: "reminder", task: "plan" }])
    unit.ok({ type: "task.deadline", task: "plan", at: t })
    expect(unitView(campaign, "county-a", unit.snapshot)).toMatchObject({ overdue: true, phase: "preparation" })
    unit.ok({ type: "task.acknowledge", task: "plan", by: "a", at: t })
    unit.ok({ type: "task.submit", task: "plan", report: "9", by: "a", at: t })
    expect(unit.no({ type: "task.remind", task: "plan", at: t }).accepts).toEqual([
      "task.approve",
      "task.return",
      "task.deadline",
    ])
  })

  it("is overdue when a report is returned after the deadline passed", () => {
    const unit = openPublicity()
    unit.ok({ type: "task.acknowledge", task: "plan", by: "a", at: t })
    unit.ok({ type: "task.submit", task: "plan", report: "1", by: "a", at: t })
    unit.ok({ type: "task.deadline", task: "plan", at: t })
    expect(unitView(campaign, "county-a", unit.snapshot).overdue).toBe(false)
    unit.ok({ type: "task.return", task: "plan", report: "1", reason: "不符", by: "lead", at: t })
    expect(unitView(campaign, "county-a", unit.snapshot).tasks[0]?.overdue).toBe(true)
  })

  it("closes with its phase: open tasks are closed, and nothing more is accepted there", () => {
    const unit = openPublicity()
    const closed = unit.ok({ type: "phase.close", phase: "preparation", at: t })
    expect(closed.effects).toContainEqual({ type: "cancel", key: "deadline:plan" })
    expect(unitView(campaign, "county-a", unit.snapshot).tasks[0]?.status).toBe("closed")
    expect(unit.no({ type: "task.acknowledge", task: "plan", by: "a", at: t }).zh).toContain("已结束")
    expect(unit.no({ type: "phase.close", phase: "preparation", at: t })).toBeDefined()
  })

  it("rejects tasks it does not have and events it does not know", () => {
    const unit = openPublicity()
    expect(unit.no({ type: "task.acknowledge", task: "ghost", by: "a", at: t }).zh).toBe("本单位没有任务“ghost”")
    expect(unit.no({ type: "task.explode", task: "plan", at: t })).toBeDefined()
    expect(drive(compiled.unitMachine("county-b")).no({ type: "phase.open", phase: "nowhere", at: t })).toBeDefined()
  })
})
