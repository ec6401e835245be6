/**
 * A machine as a graph for drawing: its state nodes (ids are dotted paths),
 * its transitions, and the states it is in now, read from the stored snapshot.
 */
import { Effect } from "effect"
import type { AnyStateMachine } from "xstate"
import type { Actor } from "../Actor.ts"
import { canRead } from "../Authz.ts"
import { query } from "../Db.ts"
import { NotFound } from "../Errors.ts"
import { selectMachine } from "../sql/ReadMachines.ts"
import { visibleCampaign } from "./Scope.ts"

type Node = AnyStateMachine["root"]

/** The nodes and edges of a machine definition. */
export const graphOf = (machine: AnyStateMachine) => {
  const nodes: Array<{ id: string; key: string; parent: string | null; type: Node["type"]; initial: string | null }> =
    []
  const edges: Array<{ source: string; event: string; targets: string[] }> = []
  const walk = (node: Node, parent: string | null) => {
    const id = node.path.join(".")
    nodes.push({
      id,
      key: node.key,
      parent,
      type: node.type,
      initial: node.initial?.target?.[0]?.path.join(".") ?? null,
    })
    for (const [event, transitions] of node.transitions) {
      for (const transition of transitions) {
        edges.push({ source: id, event, targets: (transition.target ?? []).map((t) => t.path.join(".")) })
      }
    }
    for (const child of Object.values(node.states)) walk(child, id)
  }
  for (const child of Object.values(machine.root.states)) walk(child, null)
  return { nodes, edges }
}

/** The ids of every state a snapshot's value is in, ancestors included. */
export const activeStates = (value: unknown, prefix: ReadonlyArray<string> = []): string[] => {
  if (typeof value === "string") return [[...prefix, value].join(".")]
  if (typeof value !== "object" || value === null) return []
  return Object.entries(value).flatMap(([key, child]) => [
    [...prefix, key].join("."),
    ...activeStates(child, [...prefix, key]),
  ])
}

/** The campaign's machine (unit null) or a unit's, as a graph; a unit the actor may not read is not found. */
export const machineGraph = (campaignId: string, unit: string | null, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    if (unit !== null && !canRead(actor, loaded.definition, unit)) {
      return yield* new NotFound({ what: "unit", ref: `${campaignId}/${unit}` })
    }
    const row = yield* query("machine.graph", (db) => selectMachine(db, campaignId, unit))
    if (row === undefined) return yield* new NotFound({ what: "unit", ref: `${campaignId}/${unit}` })
    const machine = unit === null ? loaded.compiled.campaignMachine() : loaded.compiled.unitMachine(unit)
    const { nodes, edges } = graphOf(machine)
    const snapshot = (typeof row.snapshot === "string" ? JSON.parse(row.snapshot) : row.snapshot) as {
      value?: unknown
    }
    return {
      campaign: campaignId,
      unit,
      version: row.version,
      status: row.status,
      phase: row.phase,
      updatedAt: new Date(row.updated_at).toISOString(),
      nodes,
      edges,
      active: activeStates(snapshot.value),
    }
  })
