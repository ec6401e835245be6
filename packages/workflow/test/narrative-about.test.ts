import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { normalizeCampaign, validateCampaign } from "../src/index.ts"
import { week } from "./fixture.ts"

const withNarrative = (about: unknown) => ({
  ...week,
  phases: [
    {
      ...week.phases[0],
      tasks: (week.phases[0]?.tasks ?? []).map((t, i) =>
        i === 0 ? { ...t, narrative: [{ key: "place", label: { zh: "地点" }, about }] } : t,
      ),
    },
    ...week.phases.slice(1),
  ],
})

describe("a narrative field's about", () => {
  it("is kept when declared and absent otherwise", () => {
    const campaign = normalizeCampaign(withNarrative("place") as unknown as Parameters<typeof normalizeCampaign>[0])
    expect(campaign.phases[0]?.tasks[0]?.narrative[0]).toMatchObject({ key: "place", about: "place" })
    expect(normalizeCampaign(week).phases[0]?.tasks[0]?.narrative[0]).not.toHaveProperty("about")
  })

  it("refuses another value, in Chinese and English", () => {
    const result = validateCampaign(withNarrative("venue"))
    expect(Result.isFailure(result)).toBe(true)
    if (Result.isSuccess(result)) return
    const [problem] = result.failure
    expect(problem?.path).toContain("narrative[0].about")
    expect(`${problem?.zh} ${problem?.en}`).toContain("须为 place")
    expect(`${problem?.zh} ${problem?.en}`).toContain("must be place, date or people")
  })
})
