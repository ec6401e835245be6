import { Result } from "effect"
import { describe, expect, it } from "vitest"
import {
  campaignWarnings,
  DefinitionError,
  defineCampaign,
  normalizeCampaign,
  resolveTime,
  validateCampaign,
  wholeDayEnding,
} from "../src/index.ts"
import { week } from "./fixture.ts"

const problemsOf = (input: unknown) => {
  const result = validateCampaign(input)
  if (Result.isSuccess(result)) throw new Error("expected problems")
  return result.failure
}
const paths = (input: unknown) => problemsOf(input).map((p) => p.path)

describe("a valid definition", () => {
  const campaign = normalizeCampaign(week)

  it("fills in phase names, gates and figure defaults", () => {
    expect(campaign.phases.map((p) => p.name.zh)).toEqual(["筹备", "宣传"])
    expect(campaign.phases[0]?.gate).toEqual({ kind: "all" })
    expect(campaign.phases[1]?.gate).toEqual({ kind: "quorum", ratio: 0.5 })
    expect(campaign.timeZone).toBe("Asia/Shanghai")
    expect(campaign.phases[1]?.tasks[0]?.figures[0]).toMatchObject({
      kind: "integer",
      min: 0,
      max: null,
      scale: 0,
      aggregate: "sum",
      required: true,
    })
    expect(campaign.phases[0]?.tasks[0]?.narrative.map((n) => n.key)).toEqual([
      "narrative",
      "highlights",
      "difficulties",
    ])
  })

  it("reads dates in the campaign's zone: a day opens at its start and closes at its end", () => {
    expect(campaign.phases[0]?.opensAt).toBe("2026-04-12T16:00:00.000Z")
    expect(campaign.phases[0]?.closesAt).toBe("2026-04-19T16:00:00.000Z")
    expect(campaign.phases[0]?.tasks[0]?.deadline).toBe("2026-04-17T10:00:00.000Z")
    expect(campaign.phases[1]?.tasks[1]?.deadline).toBe("2026-04-25T16:00:00.000Z")
  })

  it("puts reminders before the deadline, earliest first", () => {
    expect(campaign.phases[1]?.tasks[0]?.reminders).toEqual(["2026-04-25T04:00:00.000Z", "2026-04-26T00:00:00.000Z"])
  })

  it("resolves assignments to units, in definition order", () => {
    const [plan] = campaign.phases[0]?.tasks ?? []
    expect(plan?.units).toEqual(["county-a", "county-b", "town-a1"])
    expect(campaign.phases[1]?.participants).toEqual(["county-a", "county-b"])
    const everyone = normalizeCampaign({
      ...week,
      phases: [
        { ...week.phases[0], tasks: [{ ...week.phases[0].tasks[0], assign: { everyone: true }, except: ["town-a1"] }] },
      ],
    })
    expect(everyone.phases[0]?.tasks[0]?.units).toEqual(["city", "county-a", "county-b"])
    const byLevel = normalizeCampaign({
      ...week,
      phases: [{ ...week.phases[0], tasks: [{ ...week.phases[0].tasks[0], assign: { levels: ["county"] } }] }],
    })
    expect(byLevel.phases[0]?.tasks[0]?.units).toEqual(["county-a", "county-b"])
  })

  it("defineCampaign returns the definition as written", () => {
    expect(defineCampaign(week)).toBe(week)
  })
})

describe("a bad definition", () => {
  const withTask = (change: Record<string, unknown>) => ({
    ...week,
    phases: [{ ...week.phases[0], tasks: [{ ...week.phases[0].tasks[0], ...change }] }, week.phases[1]],
  })

  it("names an unknown coordinator, parent and assignee", () => {
    const bad = {
      ...week,
      coordinator: "nobody",
      units: [...week.units.slice(0, 3), { ...week.units[3], parent: "ghost" }],
      phases: [
        { ...week.phases[0], tasks: [{ ...week.phases[0].tasks[0], assign: { units: ["ghost-unit"] } }] },
        week.phases[1],
      ],
    }
    const problems = problemsOf(bad)
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "coordinator",
        "units[3].parent",
        "phases[0].tasks[0].assign.units[0]",
        "phases[0].tasks[0].assign",
      ]),
    )
    const coordinator = problems.find((p) => p.path === "coordinator")
    expect(coordinator?.zh).toContain("未在 units 中定义")
    expect(coordinator?.en).toContain("not defined")
  })

  it("finds a loop in the hierarchy", () => {
    const bad = { ...week, units: [{ ...week.units[0], parent: "town-a1" }, ...week.units.slice(1)] }
    expect(problemsOf(bad).some((p) => p.path === "units[0].parent" && p.en.includes("loops"))).toBe(true)
  })

  it("finds duplicate keys of units, phases, tasks and figures", () => {
    const bad = {
      ...week,
      units: [...week.units, week.units[1]],
      phases: [
        week.phases[0],
        {
          ...week.phases[1],
          key: "preparation",
          tasks: [
            {
              ...week.phases[1].tasks[0],
              key: "plan",
              figures: [week.phases[1].tasks[0].figures[0], week.phases[1].tasks[0].figures[0]],
            },
          ],
        },
      ],
    }
    expect(paths(bad)).toEqual(
      expect.arrayContaining(["units[4].key", "phases[1].key", "phases[1].tasks[0].key", "phases[1].tasks[0].figures"]),
    )
  })

  it("checks times: zone, order, deadline inside the phase, reminders after it opens", () => {
    expect(paths({ ...week, timeZone: "Mars/Olympus" })).toContain("timeZone")
    expect(paths({ ...week, phases: [{ ...week.phases[0], closesAt: "2026-04-01" }, week.phases[1]] })).toContain(
      "phases[0].closesAt",
    )
    expect(paths({ ...week, phases: [week.phases[1], week.phases[0]] })).toContain("phases[1].opensAt")
    expect(paths(withTask({ deadline: "2026-05-30" }))).toContain("phases[0].tasks[0].deadline")
    expect(paths(withTask({ reminders: ["P10D"] }))).toContain("phases[0].tasks[0].reminders[0]")
    expect(paths(withTask({ deadline: "2026-02-30" }))).toContain("phases[0].tasks[0].deadline")
  })

  it("finds a task nobody can take and a phase nobody can finish", () => {
    expect(paths(withTask({ assign: { roles: ["implementer"] } }))).toContain("phases[0].tasks[0].assign")
    expect(paths({ ...week, phases: [{ ...week.phases[0], tasks: [] }, week.phases[1]] })).toContain("phases[0].tasks")
    expect(
      Result.isSuccess(
        validateCampaign({ ...week, phases: [{ ...week.phases[0], tasks: [], gate: "date" }, week.phases[1]] }),
      ),
    ).toBe(true)
  })

  it("asks for a name for a custom phase and checks figure bounds", () => {
    expect(paths({ ...week, phases: [{ ...week.phases[0], key: "kickoff" }, week.phases[1]] })).toContain(
      "phases[0].name",
    )
    const figures = [{ key: "n", label: { zh: "数" }, measure: "个", min: 5, max: 1 }]
    expect(paths(withTask({ figures }))).toContain("phases[0].tasks[0].figures[0].max")
  })

  it("takes the summary block's words and checks that each lead names a phase", () => {
    const summary = { self: "我办", leads: { publicity: "本阶段……" }, countDifficulties: true }
    expect(normalizeCampaign({ ...week, summary }).summary).toEqual(summary)
    expect(paths({ ...week, summary: { leads: { nowhere: "……" } } })).toEqual(["summary.leads.nowhere"])
  })

  it("turns decoding errors into localized problems with paths", () => {
    const problems = problemsOf({ ...week, key: "Bad Key", units: [{ key: "a", role: "chief" }], extra: 1 })
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]))
    expect(byPath.key?.zh).toContain("小写字母")
    expect(byPath["units[0].name"]?.zh).toBe("缺少必填字段")
    expect(byPath["units[0].role"]?.zh).toContain("“host”")
    expect(byPath.extra?.zh).toBe("不认识的字段")
    expect(problemsOf({ ...week, title: 5 }).find((p) => p.path === "title")?.zh).toContain("类型不正确")
  })

  it("throws one DefinitionError with every problem from defineCampaign", () => {
    try {
      defineCampaign({ ...week, coordinator: "nobody", timeZone: "Mars/Olympus" })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(DefinitionError)
      expect((error as DefinitionError).problems.map((p) => p.path)).toEqual(["timeZone", "coordinator"])
    }
  })
})

describe("times in a zone with daylight saving", () => {
  it("resolves Berlin's local time in winter and summer", () => {
    expect(resolveTime("2026-01-15T09:00", "Europe/Berlin")).toBe("2026-01-15T08:00:00.000Z")
    expect(resolveTime("2026-07-15T09:00", "Europe/Berlin")).toBe("2026-07-15T07:00:00.000Z")
    expect(resolveTime("2026-03-29", "Europe/Berlin", true)).toBe("2026-03-29T22:00:00.000Z")
    expect(resolveTime("2026-04-13T09:00+08:00", "Europe/Berlin")).toBe("2026-04-13T01:00:00.000Z")
    expect(resolveTime("2026-13-01", "Asia/Shanghai")).toBeUndefined()
  })
})

describe("warnings at deploy", () => {
  it("names two units of one name and a unit with no task, and nothing for a sound definition", () => {
    expect(campaignWarnings(normalizeCampaign(week))).toEqual([])
    const doubled = normalizeCampaign({
      ...week,
      units: [...week.units, { key: "county-c", name: "乙县知识产权局", role: "member" }],
    })
    expect(campaignWarnings(doubled).map((w) => [w.path, w.zh])).toEqual([
      ["units[4].name", "单位名称“乙县知识产权局”与 units[2] 重复，总结和各页面将无法区分"],
      ["units[4]", "单位“乙县知识产权局”没有任何任务"],
    ])
  })
})

describe("whole-day deadlines", () => {
  it("read a deadline at the zone's midnight as the end of the day before, and nothing else", () => {
    const ending = wholeDayEnding(new Date("2024-07-03T16:00:00.000Z"), "Asia/Shanghai")
    expect(ending?.toISOString()).toBe("2024-07-03T15:59:59.999Z")
    expect(wholeDayEnding(new Date("2024-07-03T10:00:00.000Z"), "Asia/Shanghai")).toBeUndefined()
    // Midnight in UTC is 08:00 in Beijing: not a whole day there.
    expect(wholeDayEnding(new Date("2024-07-04T00:00:00.000Z"), "Asia/Shanghai")).toBeUndefined()
  })
})
