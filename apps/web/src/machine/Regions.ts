/**
 * Cuts a machine graph (as the API sends it: every state node with its
 * dotted id and parent, every transition, the active states) into the flat
 * diagrams the screen draws: one per region, e.g. a phase's
 * waiting → open → done | closed, or a task's assigned → … → approved.
 */
import type { MachineGraph } from "@liandong/api"
import type { DiagramGraph } from "../components/DiagramLayout.ts"

type Graph = typeof MachineGraph.Type

/** A region of the machine ready to draw. */
export interface Region {
  readonly id: string
  readonly key: string
  readonly graph: DiagramGraph
  readonly current: ReadonlyArray<string>
}

/** The region whose states are the children of `parent` (null: the machine's top-level regions are returned by `topRegions`). */
export const region = (
  graph: Graph,
  parent: string,
  stateLabel: (key: string) => string,
  eventLabel: (event: string) => string,
): Region | null => {
  const node = graph.nodes.find((n) => n.id === parent)
  const children = graph.nodes.filter((n) => n.parent === parent)
  if (node === undefined || children.length === 0 || node.type === "parallel") return null
  const ids = new Set(children.map((c) => c.id))
  const transitions = graph.edges.flatMap((edge) =>
    ids.has(edge.source)
      ? edge.targets
          .filter((target) => ids.has(target))
          .map((to) => ({ from: edge.source, to, label: eventLabel(edge.event) }))
      : [],
  )
  // One arrow per pair of states and label: guards per task make the same event appear many times.
  const unique = [...new Map(transitions.map((t) => [`${t.from}>${t.to}>${t.label}`, t])).values()]
  const active = new Set(graph.active)
  return {
    id: parent,
    key: node.key,
    graph: {
      initial: node.initial ?? children[0]?.id ?? "",
      states: children.map((c) => ({ id: c.id, label: stateLabel(c.key), final: c.type === "final" })),
      transitions: unique,
    },
    current: children.filter((c) => active.has(c.id)).map((c) => c.id),
  }
}

/** The ids of the top-level nodes (a unit machine's phases). */
export const topRegions = (graph: Graph): string[] => graph.nodes.filter((n) => n.parent === null).map((n) => n.id)

/** The ids of the task regions inside a phase's `open` state. */
export const taskRegions = (graph: Graph, phase: string): string[] =>
  graph.nodes.filter((n) => n.parent === `${phase}.open`).map((n) => n.id)
