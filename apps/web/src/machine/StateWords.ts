/**
 * A machine's states in words. The engine's machines have a fixed shape, so
 * each level of a state path has one meaning: a unit's machine is
 * phase › phase state › task › task state, the campaign's is
 * campaign state › phase › phase state. A path reads as the names of its
 * phases and tasks and the words of its states, in the reader's language:
 * `publicity` + `open.brochures.submitted` → 宣传：进行中（发放宣传资料：已报送）.
 */
import type { Messages } from "../i18n/Messages.ts"
import type { StateChange, StateTree } from "./StateText.ts"

/** Which machine a journal row belongs to: a unit's (the row names a unit) or the campaign's. */
export type MachineKind = "unit" | "campaign"

/** Names of phases and tasks in the reader's language. */
export interface StateNames {
  readonly phase: (key: string) => string
  readonly task: (key: string) => string
}

type Level = "phase" | "task" | "phaseState" | "taskState" | "campaignState"

const levels: Record<MachineKind, ReadonlyArray<Level>> = {
  unit: ["phase", "phaseState", "task", "taskState"],
  campaign: ["campaignState", "phase", "phaseState"],
}

const isState = (level: Level | undefined) => level !== "phase" && level !== "task"

/** Words for state paths of one machine. */
export interface StateWords {
  /** The region a path names, e.g. `publicity.open.brochures` → 宣传 · 发放宣传资料 ("" for the whole machine). */
  readonly region: (path: ReadonlyArray<string>) => string
  /** A region's state below `path`, e.g. `open{brochures:submitted}` → 进行中（发放宣传资料：已报送）. */
  readonly state: (path: ReadonlyArray<string>, tree: StateTree | null) => string
  /** One change as a line: `宣传：待开始 → 进行中（…）`. */
  readonly change: (change: StateChange) => string
}

/** The words of a machine's states in the language of `t`. */
export const stateWords = (kind: MachineKind, t: Messages, names: StateNames): StateWords => {
  const word = (depth: number, key: string): string => {
    const level = levels[kind][depth]
    switch (level) {
      case "phase":
        return names.phase(key)
      case "task":
        return names.task(key)
      case "campaignState":
        return t.machine.campaignStates[key] ?? key
      default:
        return t.machine.states[key] ?? key
    }
  }
  const state = (depth: number, tree: StateTree | null): string => {
    if (tree === null) return t.machine.none
    if (typeof tree === "string") return word(depth, tree)
    const level = levels[kind][depth]
    return Object.entries(tree)
      .map(([key, inner]) =>
        // A state holding regions reads "进行中（…）"; a named region reads "宣传：…".
        isState(level)
          ? `${word(depth, key)}${t.open}${state(depth + 1, inner)}${t.close}`
          : `${word(depth, key)}${t.colon}${state(depth + 1, inner)}`,
      )
      .join(t.listSeparator)
  }
  const region = (path: ReadonlyArray<string>) =>
    path.flatMap((key, depth) => (isState(levels[kind][depth]) ? [] : [word(depth, key)])).join(" · ")
  return {
    region,
    state: (path, tree) => state(path.length, tree),
    change: (change) => {
      const name = region(change.path)
      const from = state(change.path.length, change.from)
      const to = state(change.path.length, change.to)
      return `${name ? `${name}${t.colon}` : ""}${from} → ${to}`
    },
  }
}
