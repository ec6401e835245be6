import type { TaskItem } from "@liandong/api"
import { describe, expect, it } from "vitest"
import { checkReport } from "../src/screens/inbox/Check.ts"

/** A task as the API hands it to the browser, with one rule between its figures. */
const meeting = {
  task: "meeting",
  title: { zh: "召开推进会", en: "Hold the meeting" },
  figures: [
    {
      key: "invited",
      label: { zh: "邀请单位", en: "units invited" },
      measure: "家",
      kind: "integer",
      min: 0,
      max: null,
      scale: 0,
      required: true,
    },
    {
      key: "attended",
      label: { zh: "参会单位", en: "units attending" },
      measure: "家",
      kind: "integer",
      min: 0,
      max: null,
      scale: 0,
      required: true,
    },
  ],
  narrative: [{ key: "narrative", label: { zh: "工作情况", en: "What was done" }, required: true, maxLength: 20_000 }],
  rules: [
    {
      text: "attended <= invited",
      when: null,
      check: { left: [{ figure: "attended" }], op: "<=", right: [{ figure: "invited" }] },
      require: null,
      message: null,
    },
  ],
} as unknown as TaskItem

describe("the browser's check of a report", () => {
  it("applies the task's rules with the engine's words, before anything is sent", () => {
    const input = { figures: { invited: "20", attended: "25" }, narrative: { narrative: "已召开" } }
    expect(checkReport(meeting, input, "zh")).toEqual({
      "figures.attended": "“参会单位”（25）应不大于“邀请单位”（20）",
    })
    expect(checkReport(meeting, input, "en")).toEqual({
      "figures.attended": '"units attending" (25) must be at most "units invited" (20)',
    })
    expect(checkReport(meeting, { ...input, figures: { invited: "20", attended: "20" } }, "zh")).toEqual({})
  })
})
