import { describe, expect, it } from "vitest"
import { deadlineText } from "../src/Output.ts"

describe("the CLI's deadlines", () => {
  it("reads a whole-day deadline as that day at 24:00", () => {
    expect(deadlineText("2024-07-03T16:00:00.000Z")).toBe("2024-07-03 24:00")
    expect(deadlineText("2024-07-03T10:00:00.000Z")).toBe("2024-07-03 18:00")
  })
})
