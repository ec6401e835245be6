import { describe, expect, it } from "vitest"
import { formatDeadline } from "../src/i18n/Format.ts"

describe("deadlines as offices write them", () => {
  it("reads a whole-day deadline as that day at 24:00, not the next at 00:00", () => {
    // 2024-07-03 as a whole day: the next midnight in Beijing.
    const wholeDay = "2024-07-03T16:00:00.000Z"
    expect(formatDeadline(wholeDay, "zh", "Asia/Shanghai")).toBe("2024年7月3日 24:00")
    expect(formatDeadline(wholeDay, "en", "Asia/Shanghai")).toBe("3 Jul 2024, 24:00")
    // Any other time is shown as it is.
    expect(formatDeadline("2024-07-03T10:00:00.000Z", "zh", "Asia/Shanghai")).toBe("2024年7月3日 18:00")
  })
})
