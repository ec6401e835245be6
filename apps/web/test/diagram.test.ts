/**
 * The state diagram's layout: every transition drawn, cycles drawn as arcs
 * that clear the boxes, no two boxes on top of each other.
 */
import { describe, expect, it } from "vitest"
import { type DiagramGraph, layoutDiagram } from "../src/components/DiagramLayout.ts"

const task: DiagramGraph = {
  initial: "assigned",
  states: [
    { id: "assigned", label: "待确认" },
    { id: "acknowledged", label: "已确认" },
    { id: "submitted", label: "已报送" },
    { id: "returned", label: "已退回" },
    { id: "approved", label: "已通过", final: true },
  ],
  transitions: [
    { from: "assigned", to: "acknowledged", label: "确认接收" },
    { from: "acknowledged", to: "submitted", label: "报送" },
    { from: "submitted", to: "approved", label: "通过" },
    { from: "submitted", to: "returned", label: "退回" },
    { from: "returned", to: "submitted", label: "报送" },
  ],
}

describe("the state diagram's layout", () => {
  const layout = layoutDiagram(task)
  const at = (id: string) => layout.states.find((s) => s.id === id)!

  it("puts each state one column after the state that leads to it", () => {
    expect(["assigned", "acknowledged", "submitted"].map((id) => at(id).column)).toEqual([0, 1, 2])
    expect(at("returned").column).toBe(3)
    expect(at("approved").column).toBe(3)
  })

  it("draws every transition, the way back as an arc", () => {
    expect(layout.transitions).toHaveLength(task.transitions.length)
    const back = layout.transitions.filter((t) => t.back)
    expect(back.map((t) => `${t.from}>${t.to}`)).toEqual(["returned>submitted"])
  })

  it("keeps an arc between first-row states above every box, inside the drawing", () => {
    const arc = layout.transitions.find((t) => t.back)!
    const ys = [...arc.path.matchAll(/-?\d+(\.\d+)?/g)].map((m) => Number(m[0])).filter((_, i) => i % 2 === 1)
    const firstRow = Math.min(...layout.states.map((s) => s.y))
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(0)
    expect(Math.min(...ys)).toBeLessThan(firstRow)
  })

  it("never places two boxes over each other, and fits them in the drawing", () => {
    for (const a of layout.states) {
      expect(a.x + layout.nodeWidth).toBeLessThanOrEqual(layout.width)
      expect(a.y + layout.nodeHeight).toBeLessThanOrEqual(layout.height)
      for (const b of layout.states) {
        if (a === b) continue
        const apart =
          a.x + layout.nodeWidth <= b.x ||
          b.x + layout.nodeWidth <= a.x ||
          a.y + layout.nodeHeight <= b.y ||
          b.y + layout.nodeHeight <= a.y
        expect(apart, `${a.id} and ${b.id}`).toBe(true)
      }
    }
  })

  it("draws a graph with no way back without room for arcs", () => {
    const line = layoutDiagram({
      initial: "a",
      states: [
        { id: "a", label: "A" },
        { id: "b", label: "B" },
      ],
      transitions: [{ from: "a", to: "b", label: "go" }],
    })
    expect(line.transitions.every((t) => !t.back)).toBe(true)
    expect(line.height).toBe(line.nodeHeight + 32)
  })
})
