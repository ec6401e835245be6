import type { TrailEntry } from "@liandong/api"
import { describe, expect, it } from "vitest"
import { messages } from "../src/i18n/Messages.ts"
import { localStamp, trailCsv } from "../src/screens/audit/Exports.ts"

const start: TrailEntry = {
  seq: 7,
  at: "2026-04-19T17:00:00.000Z",
  recordedAt: "2026-04-19T17:00:00.000Z",
  actor: "lead",
  actorName: "王局长",
  role: "coordinator",
  actorUnit: "city",
  unit: null,
  task: null,
  event: "campaign.start",
  cause: "command",
  idempotencyKey: null,
  before: "draft",
  after: "running",
  detail: null,
  note: { phase: null, report: null, reason: null, subjectUnit: null, version: null, summary: null, refusal: null },
}

describe("the trail as CSV", () => {
  it("writes times as the campaign's clocks showed them, naming the zone", () => {
    expect(localStamp("2026-04-20T01:00:00.000Z", "Asia/Shanghai")).toBe("2026-04-20 09:00:00")
    expect(localStamp("2026-04-19T23:30:05.000Z", "Asia/Shanghai")).toBe("2026-04-20 07:30:05")
    const names = { unit: (k: string | null) => k ?? "", task: (k: string | null) => k ?? "", phase: (k: string) => k }
    const [header, row] = trailCsv([start], messages.zh, names, "Asia/Shanghai").replace("\uFEFF", "").split("\r\n")
    expect(header?.split(",")[1]).toBe(`${messages.zh.audit.time}（Asia/Shanghai）`)
    // 17:00 UTC on the 19th is 01:00 on the 20th in Beijing: the day a reader of the screen sees.
    expect(row?.split(",")[1]).toBe("2026-04-20 01:00:00")
  })
})
