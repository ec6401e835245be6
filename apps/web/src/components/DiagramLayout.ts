/**
 * Lays out a state graph left to right for the diagram: each state's column is
 * its longest distance from the initial state along forward transitions;
 * transitions that lead back (cycles) are drawn as arcs under the row.
 * Pure and small on purpose: the graphs are a handful of states.
 */

/** A state of a diagram. */
export interface DiagramState {
  readonly id: string
  readonly label: string
  readonly final?: boolean
}

/** A transition between two states, labelled with its event. */
export interface DiagramTransition {
  readonly from: string
  readonly to: string
  readonly label: string
}

/** A state graph as the diagram draws it. */
export interface DiagramGraph {
  readonly initial: string
  readonly states: ReadonlyArray<DiagramState>
  readonly transitions: ReadonlyArray<DiagramTransition>
}

/** A placed state. */
export interface PlacedState extends DiagramState {
  readonly x: number
  readonly y: number
  readonly column: number
  readonly row: number
}

/** A placed transition: an SVG path and where its label goes. */
export interface PlacedTransition extends DiagramTransition {
  readonly path: string
  readonly labelX: number
  readonly labelY: number
  readonly back: boolean
}

/** The whole layout, in SVG user units. */
export interface Layout {
  readonly width: number
  readonly height: number
  readonly nodeWidth: number
  readonly nodeHeight: number
  readonly states: ReadonlyArray<PlacedState>
  readonly transitions: ReadonlyArray<PlacedTransition>
}

const nodeWidth = 104
const nodeHeight = 40
const columnGap = 64
const rowGap = 36
const margin = 16
const arcRoom = 44

/** Which transitions go back along a cycle, by depth-first search from the initial state. */
const backEdges = (graph: DiagramGraph): Set<DiagramTransition> => {
  const back = new Set<DiagramTransition>()
  const state = new Map<string, "open" | "done">()
  const visit = (id: string) => {
    state.set(id, "open")
    for (const t of graph.transitions.filter((t) => t.from === id)) {
      const seen = state.get(t.to)
      if (seen === "open") back.add(t)
      else if (seen === undefined) visit(t.to)
    }
    state.set(id, "done")
  }
  visit(graph.initial)
  for (const s of graph.states) if (!state.has(s.id)) visit(s.id)
  return back
}

/** Places the states of a graph and routes its transitions. */
export const layoutDiagram = (graph: DiagramGraph): Layout => {
  const back = backEdges(graph)
  const forward = graph.transitions.filter((t) => !back.has(t) && t.from !== t.to)
  // Longest path from the initial state over forward edges (the graph without back edges is acyclic).
  const column = new Map<string, number>(graph.states.map((s) => [s.id, 0]))
  for (let pass = 0; pass < graph.states.length; pass++) {
    for (const t of forward) {
      const next = (column.get(t.from) ?? 0) + 1
      if (next > (column.get(t.to) ?? 0)) column.set(t.to, next)
    }
  }
  const rows = new Map<number, number>()
  const rowOf = new Map<string, number>()
  for (const s of graph.states) {
    const c = column.get(s.id) ?? 0
    const r = rows.get(c) ?? 0
    rows.set(c, r + 1)
    rowOf.set(s.id, r)
  }
  // Arcs back between states of the first row pass above it; any other arc passes below every row.
  const above = (t: DiagramTransition) => rowOf.get(t.from) === 0 && rowOf.get(t.to) === 0
  const top = margin + ([...back].some(above) ? arcRoom : 0)
  const placed: PlacedState[] = graph.states.map((s) => {
    const c = column.get(s.id) ?? 0
    const r = rowOf.get(s.id) ?? 0
    return { ...s, column: c, row: r, x: margin + c * (nodeWidth + columnGap), y: top + r * (nodeHeight + rowGap) }
  })
  const byId = new Map(placed.map((p) => [p.id, p]))
  const columns = Math.max(...placed.map((p) => p.column)) + 1
  const maxRows = Math.max(...rows.values())
  const bodyHeight = maxRows * nodeHeight + (maxRows - 1) * rowGap
  const hasBelow = [...back].some((t) => !above(t))
  const transitions: PlacedTransition[] = []
  const backCount = new Map<string, number>()
  for (const t of graph.transitions) {
    const a = byId.get(t.from)
    const b = byId.get(t.to)
    if (a === undefined || b === undefined || t.from === t.to) continue
    if (back.has(t)) {
      const n = backCount.get(`${t.from}>${t.to}`) ?? 0
      backCount.set(`${t.from}>${t.to}`, n + 1)
      const x1 = a.x + nodeWidth / 2 - 10
      const x2 = b.x + nodeWidth / 2 + 10
      if (above(t)) {
        const high = top - arcRoom + 10 - n * 12
        transitions.push({
          ...t,
          back: true,
          path: `M ${x1} ${a.y} C ${x1} ${high}, ${x2} ${high}, ${x2} ${b.y}`,
          labelX: (x1 + x2) / 2,
          labelY: high + 16,
        })
      } else {
        const low = top + bodyHeight + arcRoom - 10 + n * 12
        transitions.push({
          ...t,
          back: true,
          path: `M ${x1} ${a.y + nodeHeight} C ${x1} ${low}, ${x2} ${low}, ${x2} ${b.y + nodeHeight}`,
          labelX: (x1 + x2) / 2,
          labelY: low - 6,
        })
      }
      continue
    }
    const x1 = a.x + nodeWidth
    const y1 = a.y + nodeHeight / 2
    const x2 = b.x
    const y2 = b.y + nodeHeight / 2
    const mid = (x1 + x2) / 2
    transitions.push({
      ...t,
      back: false,
      path: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`,
      labelX: mid,
      labelY: (y1 + y2) / 2 - 6,
    })
  }
  return {
    width: margin * 2 + columns * nodeWidth + (columns - 1) * columnGap,
    height: top + bodyHeight + margin + (hasBelow ? arcRoom : 0),
    nodeWidth,
    nodeHeight,
    states: placed,
    transitions,
  }
}
