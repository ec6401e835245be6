/**
 * What happened since a position in the journal, as structured entries: for
 * the campaign's machine, the phases it opened and closed; for a unit's, the
 * state its task was in before. Read through the trail, so it shows only
 * what the actor may read.
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { trail } from "../audit/Trail.ts"

/** One journal row told as progress. */
export interface ProgressEntry {
  readonly seq: number
  readonly at: Date
  readonly event: string
  /** the unit whose machine moved; null for the campaign's */
  readonly unit: string | null
  readonly task: string | null
  /** a person's own words: why a report was returned */
  readonly reason: string | null
  /** phases open after the row and not before it (the campaign's machine) */
  readonly opened: ReadonlyArray<string>
  /** phases open before the row and not after it (the campaign's machine) */
  readonly closed: ReadonlyArray<string>
  /** the state the row's task was in before it (a unit's machine) */
  readonly taskBefore: string | null
}

/** The paths of the leaf states in a compact state text (`stateText` of the workflow package). */
export const statePaths = (text: string): string[][] => {
  let at = 0
  const name = () => {
    const start = at
    while (at < text.length && !".{}:,".includes(text[at] as string)) at++
    return text.slice(start, at)
  }
  const value = (prefix: string[]): string[][] => {
    if (text[at] === "{") {
      at++
      const out: string[][] = []
      while (at < text.length && text[at] !== "}") {
        const key = name()
        at++ // the ':'
        out.push(...value([...prefix, key]))
        if (text[at] === ",") at++
      }
      at++ // the '}'
      return out
    }
    const key = name()
    if (text[at] === ".") {
      at++
      return value([...prefix, key])
    }
    if (text[at] === "{") return value([...prefix, key])
    return [[...prefix, key]]
  }
  return text === "" ? [] : value([])
}

const openPhases = (text: string): Set<string> =>
  new Set(
    statePaths(text).flatMap((path) => path.flatMap((part, i) => (path[i + 1] === "open" && i >= 0 ? [part] : []))),
  )

const stateOfTask = (text: string, task: string): string | null => {
  for (const path of statePaths(text)) {
    const i = path.indexOf(task)
    if (i >= 0 && i + 1 < path.length) return path[i + 1] as string
  }
  return null
}

/** The journal after `afterSeq` as progress entries, limited to what the actor may read. */
export const progressSince = (campaignId: string, actor: Actor, afterSeq: number) =>
  Effect.map(trail(campaignId, actor, { afterSeq }), (entries) =>
    entries.map((entry): ProgressEntry => {
      const before = openPhases(entry.before)
      const after = openPhases(entry.after)
      return {
        seq: entry.seq,
        at: new Date(entry.at),
        event: entry.event,
        unit: entry.unit,
        task: entry.task,
        reason: entry.note.reason,
        opened: entry.unit === null ? [...after].filter((phase) => !before.has(phase)) : [],
        closed: entry.unit === null ? [...before].filter((phase) => !after.has(phase)) : [],
        taskBefore: entry.task === null ? null : stateOfTask(entry.before, entry.task),
      }
    }),
  )
