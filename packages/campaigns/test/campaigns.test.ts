import { normalizeCampaign, validateCampaign } from "@liandong/workflow"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { greenBookmark, greenBookmarkScript, ipWeek, ipWeekExpectedTotals, ipWeekScript, tour } from "../src/index.ts"

describe("example campaigns", () => {
  it.each([
    ["ipWeek", ipWeek],
    ["greenBookmark", greenBookmark],
    ["tour", tour],
  ])("%s is a valid definition", (_, definition) => {
    expect(Result.isSuccess(validateCampaign(definition))).toBe(true)
  })

  it("the seed campaign has the coordinator, 14 member units and 三县二区", () => {
    const campaign = normalizeCampaign(ipWeek)
    expect(campaign.units.filter((u) => u.role === "member")).toHaveLength(14)
    expect(campaign.units.filter((u) => u.role === "subordinate")).toHaveLength(5)
    expect(campaign.phases.map((p) => p.name.zh)).toEqual(["筹备", "宣传", "执法", "总结"])
  })

  it("the demo script's final reports add up to the seed's totals", () => {
    const campaign = normalizeCampaign(ipWeek)
    const aggregate = new Map(
      campaign.phases.flatMap((p) => p.tasks.flatMap((t) => t.figures.map((f) => [f.key, f.aggregate] as const))),
    )
    const latest = new Map<string, Record<string, string>>()
    for (const step of ipWeekScript.steps) {
      for (const action of step.actions) {
        if (action.kind === "report" && action.figures) latest.set(`${action.unit}/${action.task}`, action.figures)
      }
    }
    const totals = new Map<string, bigint>()
    for (const figures of latest.values()) {
      for (const [key, value] of Object.entries(figures)) {
        const before = totals.get(key)
        const n = BigInt(value)
        totals.set(
          key,
          before === undefined ? n : aggregate.get(key) === "max" ? (n > before ? n : before) : before + n,
        )
      }
    }
    expect(Object.fromEntries([...totals].map(([k, v]) => [k, v.toString()]))).toEqual(ipWeekExpectedTotals)
  })

  it("every script step is in calendar order, inside its campaign's window", () => {
    for (const script of [ipWeekScript, greenBookmarkScript]) {
      const times = [script.startAt, ...script.steps.map((s) => s.at), script.endAt].map((t) => Date.parse(t))
      expect([...times].sort((a, b) => a - b)).toEqual(times)
    }
  })
})
