/** The trail's time filters read dates as offices write them, year first, whatever the browser's locale. */
import { describe, expect, it } from "vitest"
import { addressForm, boundInstant, fieldForm, inOrder, parseFilterTime } from "../src/screens/audit/FilterTime.ts"

describe("filter times", () => {
  it("reads a date, with or without a time, in the usual spellings", () => {
    for (const text of [
      "2026-04-14",
      "2026-4-14",
      "2026/4/14",
      "2026.04.14",
      "2026年4月14日",
      " 2026-04-14 ",
      "２０２６－０４－１４",
    ])
      expect(parseFilterTime(text), text).toEqual({ date: "2026-04-14", time: null })
    for (const text of [
      "2026-04-14 09:30",
      "2026-04-14T09:30",
      "2026/4/14 9:30",
      "2026年4月14日 9:30",
      "2026年4月14日9时30分",
      "2026-04-14 09：30",
    ])
      expect(parseFilterTime(text), text).toEqual({ date: "2026-04-14", time: "09:30" })
  })

  it("refuses what is not a real date or time, and the browser's month-first form", () => {
    for (const text of [
      "04/14/2026",
      "14.04.2026",
      "2026-02-30",
      "2026-13-01",
      "2026-04-14 24:00",
      "2026-04-14 9:60",
      "昨天",
      "2026-04",
    ])
      expect(parseFilterTime(text), text).toBeNull()
  })

  it("keeps one form in the address and shows it with a space", () => {
    expect(addressForm({ date: "2026-04-14", time: null })).toBe("2026-04-14")
    expect(addressForm({ date: "2026-04-14", time: "09:30" })).toBe("2026-04-14T09:30")
    expect(fieldForm("2026-04-14T09:30")).toBe("2026-04-14 09:30")
    expect(fieldForm("2026-04-14")).toBe("2026-04-14")
  })

  it("starts the day for from, and includes the whole day for until", () => {
    expect(boundInstant("2026-04-14", "since")).toBe(new Date(2026, 3, 14).toISOString())
    expect(boundInstant("2026-04-14", "until")).toBe(new Date(2026, 3, 15).toISOString())
    expect(boundInstant("2026-04-14T09:30", "until")).toBe(new Date(2026, 3, 14, 9, 30).toISOString())
    expect(boundInstant("nonsense", "since")).toBeUndefined()
  })

  it("knows when until comes before from", () => {
    const day = (date: string, time: string | null = null) => ({ date, time })
    expect(inOrder(day("2026-04-14"), day("2026-04-14"))).toBe(true)
    expect(inOrder(day("2026-04-14", "10:00"), day("2026-04-14"))).toBe(true)
    expect(inOrder(day("2026-04-15"), day("2026-04-14"))).toBe(false)
    expect(inOrder(day("2026-04-14", "10:00"), day("2026-04-14", "09:00"))).toBe(false)
  })
})
