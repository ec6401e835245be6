/** Reading the journal's state text back, and finding what changed. */
import { describe, expect, it } from "vitest"
import { parseStateText, stateChanges } from "../src/machine/StateText.ts"

describe("state text", () => {
  it("reads parallel regions, nested paths and plain states", () => {
    expect(parseStateText("{publicity:open{brochures:assigned,lectures:submitted},summary:waiting}")).toEqual({
      publicity: { open: { brochures: "assigned", lectures: "submitted" } },
      summary: "waiting",
    })
    expect(parseStateText("{publicity:open.brochures.assigned,summary:waiting}")).toEqual({
      publicity: { open: { brochures: "assigned" } },
      summary: "waiting",
    })
    expect(parseStateText("publicity.open{brochures:assigned,lectures:approved}")).toEqual({
      publicity: { open: { brochures: "assigned", lectures: "approved" } },
    })
    expect(parseStateText("running.publicity.open")).toEqual({ running: { publicity: "open" } })
    expect(parseStateText("ready")).toEqual("ready")
  })

  it("keeps text it cannot read whole", () => {
    expect(parseStateText("{broken")).toEqual("{broken")
    expect(parseStateText("a..b")).toEqual("a..b")
  })

  it("names only the regions that changed, outermost first", () => {
    expect(
      stateChanges("{publicity:open.brochures.submitted,summary:waiting}", "{publicity:done,summary:waiting}"),
    ).toEqual([{ path: ["publicity"], from: { open: { brochures: "submitted" } }, to: "done" }])
    expect(
      stateChanges(
        "{publicity:waiting,summary:waiting}",
        "{publicity:open{brochures:assigned,lectures:assigned},summary:waiting}",
      ),
    ).toEqual([{ path: ["publicity"], from: "waiting", to: { open: { brochures: "assigned", lectures: "assigned" } } }])
    expect(
      stateChanges(
        "{publicity:open{brochures:assigned,lectures:assigned},summary:waiting}",
        "{publicity:open{brochures:acknowledged,lectures:assigned},summary:waiting}",
      ),
    ).toEqual([{ path: ["publicity", "open", "brochures"], from: "assigned", to: "acknowledged" }])
    expect(stateChanges("running.preparation.open", "running.publicity.waiting")).toEqual([
      { path: ["running"], from: { preparation: "open" }, to: { publicity: "waiting" } },
    ])
    expect(stateChanges("", "ready")).toEqual([{ path: [], from: null, to: "ready" }])
    expect(stateChanges("ready", "ready")).toEqual([])
  })
})
