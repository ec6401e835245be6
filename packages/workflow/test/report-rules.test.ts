import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { normalizeCampaign, parseComparison, validateCampaign, validateReport } from "../src/index.ts"
import { week } from "./fixture.ts"

/** The fixture with a meeting task whose figures relate to each other. */
const withMeeting = (rules: ReadonlyArray<unknown>) => ({
  ...week,
  phases: [
    week.phases[0],
    {
      ...week.phases[1],
      tasks: [
        ...week.phases[1].tasks,
        {
          key: "meeting",
          title: { zh: "召开推进会", en: "Hold the meeting" },
          assign: { units: ["county-a"] },
          deadline: "2026-04-25",
          figures: [
            { key: "invited", label: { zh: "邀请单位", en: "Units invited" }, measure: "家" },
            { key: "attended", label: { zh: "参会单位", en: "Units attending" }, measure: "家" },
            { key: "lectures", label: { zh: "讲座", en: "Lectures" }, measure: "场", required: false },
            { key: "stands", label: { zh: "展台", en: "Stands" }, measure: "个", required: false },
            { key: "events", label: { zh: "活动合计", en: "Events" }, measure: "场", required: false },
            { key: "budget", label: { zh: "经费", en: "Budget" }, measure: "万元", kind: "decimal", required: false },
          ],
          narrative: [
            { key: "narrative", label: { zh: "工作情况", en: "What was done" }, required: true },
            { key: "lecture-notes", label: { zh: "讲座情况", en: "Lecture notes" } },
          ],
          rules,
        },
      ],
    },
  ],
})

const meetingOf = (rules: ReadonlyArray<unknown>) => {
  const result = validateCampaign(withMeeting(rules))
  if (Result.isFailure(result)) throw new Error(JSON.stringify(result.failure))
  const task = result.success.phases[1]?.tasks.find((t) => t.key === "meeting")
  if (task === undefined) throw new Error("no meeting task")
  return task
}

const refusal = (result: ReturnType<typeof validateReport>) => (Result.isFailure(result) ? result.failure : [])

describe("rules between figures", () => {
  const meeting = meetingOf([
    "attended <= invited",
    { check: "lectures + stands = events" },
    { when: "lectures > 0", require: "lecture-notes" },
    { when: "budget > 0", check: "events >= 1", message: { zh: "有经费须有活动", en: "a budget needs an event" } },
  ])
  const report = (figures: Record<string, string | number>, narrative: Record<string, string> = {}) =>
    validateReport(meeting, { figures, narrative: { narrative: "已召开", ...narrative } })

  it("refuses attended 25 of 20 invited, naming the field and both values", () => {
    expect(refusal(report({ invited: 20, attended: 25 }))).toEqual([
      {
        path: "figures.attended",
        zh: "“参会单位”（25）应不大于“邀请单位”（20）",
        en: '"Units attending" (25) must be at most "Units invited" (20)',
      },
    ])
    expect(Result.isSuccess(report({ invited: 20, attended: 20 }))).toBe(true)
  })

  it("checks sums exactly and applies conditions only when they hold", () => {
    expect(
      refusal(report({ invited: 2, attended: 1, lectures: 2, stands: 3, events: 6 }, { "lecture-notes": "x" })),
    ).toEqual([
      {
        path: "figures.lectures",
        zh: "“讲座”与“展台”之和（5）应等于“活动合计”（6）",
        en: 'the sum of "Lectures" and "Stands" (5) must be equal to "Events" (6)',
      },
    ])
    // Lectures held, notes left empty: the condition holds, the field is named.
    expect(
      refusal(report({ invited: 2, attended: 1, lectures: 1, stands: 0, events: 1 })).map((p) => [p.path, p.zh]),
    ).toEqual([["narrative.lecture-notes", "“讲座”大于0时，请填写“讲座情况”"]])
    // No lectures: the notes may stay empty.
    expect(Result.isSuccess(report({ invited: 2, attended: 1, lectures: 0, stands: 1, events: 1 }))).toBe(true)
    // The office's own words replace the generated ones.
    expect(refusal(report({ invited: 2, attended: 1, budget: "0.5", lectures: 0, stands: 0, events: 0 }))).toEqual([
      { path: "figures.events", zh: "有经费须有活动", en: "a budget needs an event" },
    ])
  })

  it("leaves out rules whose figures are empty or already refused", () => {
    // Optional figures not given: the sum rule is not judged.
    expect(Result.isSuccess(report({ invited: 3, attended: 2 }))).toBe(true)
    // A malformed figure is refused once, on its own.
    expect(refusal(report({ invited: "abc", attended: 25 })).map((p) => p.path)).toEqual(["figures.invited"])
  })

  it("compares decimals exactly, never through floating point", () => {
    const exact = meetingOf(["budget = 0.3", "lectures + stands >= 0"])
    const ok = validateReport(exact, {
      figures: { invited: 1, attended: 1, budget: "0.30" },
      narrative: { narrative: "x" },
    })
    expect(Result.isSuccess(ok)).toBe(true)
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 0n, max: 10n ** 30n }), (a, b) => {
        const result = validateReport(meetingOf(["attended <= invited"]), {
          figures: { invited: String(b), attended: String(a) },
          narrative: { narrative: "x" },
        })
        return Result.isSuccess(result) === a <= b
      }),
      { numRuns: 50 },
    )
  })
})

describe("rules in the definition", () => {
  const problems = (rules: ReadonlyArray<unknown>) => {
    const result = validateCampaign(withMeeting(rules))
    return Result.isFailure(result) ? result.failure.map((p) => [p.path, p.zh]) : []
  }

  it("are checked when the definition is: figures and fields must exist, the text must parse", () => {
    expect(problems(["attended <= guests"])).toEqual([["phases[1].tasks[2].rules[0]", "规则中的数据项“guests”不存在"]])
    expect(problems([{ when: "lectures > 0", require: "photos" }])).toEqual([
      ["phases[1].tasks[2].rules[0]", "规则中的文字项“photos”不存在"],
    ])
    expect(problems(["attended invited"])[0]?.[1]).toContain("缺少比较符")
    expect(problems(["1 <= 2"])[0]?.[1]).toContain("须至少涉及一个数据项")
    expect(problems(["attended <= invited <= 3"])[0]?.[1]).toContain("只能有一个比较符")
    expect(problems(["attended <= Invited!"])[0]?.[1]).toContain("不是数据项标识或数字")
    expect(problems(["attended <= invited", "attended ≤ invited + 2", "attended == 3"])).toEqual([])
  })

  it("parse the comparison forms people write", () => {
    expect(parseComparison("a + b = total")).toEqual({
      left: [{ figure: "a" }, { figure: "b" }],
      op: "=",
      right: [{ figure: "total" }],
    })
    expect(parseComparison("a ≥ 10.50")).toEqual({ left: [{ figure: "a" }], op: ">=", right: [{ constant: "10.5" }] })
  })

  it("leave a definition without rules as it was, so its hash does not change", () => {
    const plain = normalizeCampaign(week)
    expect(plain.phases.flatMap((p) => p.tasks).some((t) => "rules" in t)).toBe(false)
  })
})
