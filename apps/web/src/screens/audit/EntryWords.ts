/**
 * A journal entry in the reader's language: the event, who (a person, or the
 * system and the operator in words), what set it off (a person's action, a
 * timer, a message between machines, a refusal, a deployment) and its notes
 * (the report, the reason of a return, a nudge and whom it reached, a refused attempt and why), with every
 * unit, phase and task by name. Only a person's own words are shown as written.
 */
import type { TrailEntry } from "@liandong/api"
import type { Messages } from "../../i18n/Messages.ts"
import { stateChanges } from "../../machine/StateText.ts"
import { stateWords } from "../../machine/StateWords.ts"

/** Names for unit, task and phase keys in the reader's language. */
export interface Names {
  readonly unit: (key: string | null) => string
  readonly task: (key: string | null) => string
  readonly phase: (key: string) => string
}

/** An entry's parts, in words. */
export interface EntryWords {
  readonly event: string
  /** what the event concerns: task or phase, and unit */
  readonly subject: ReadonlyArray<string>
  readonly actor: string
  readonly role: string
  readonly actorUnit: string | null
  readonly cause: string
  /** what changed, one line per region */
  readonly changes: ReadonlyArray<{
    readonly path: string
    readonly region: string
    readonly from: string
    readonly to: string
  }>
  readonly notes: ReadonlyArray<string>
}

/** `command`, `timer:12`, `message:4`, `summary:3` … in words. */
export const causeWords = (cause: string, t: Messages): string => {
  const at = cause.indexOf(":")
  const kind = at < 0 ? cause : cause.slice(0, at)
  const word = t.audit.causes[kind]
  if (word === undefined) return cause
  return at < 0 ? word : t.audit.numbered(word, cause.slice(at + 1))
}

/** What a refused attempt named: a task's address, a report's number, or the campaign itself. */
const refWords = (ref: string, t: Messages, names: Names): string => {
  if (/^[0-9]+$/.test(ref)) return t.audit.report(ref)
  const parts = ref.split("/")
  if (parts.length === 3) return `${names.unit(parts[1] as string)} · ${names.task(parts[2] as string)}`
  return parts.length === 1 ? t.audit.thisCampaign : ref
}

const noteWords = (e: TrailEntry, t: Messages, names: Names): string[] => {
  const n = e.note
  const out: string[] = []
  if (n.version !== null) out.push(t.audit.version(n.version))
  if (n.report !== null) out.push(t.audit.report(n.report))
  if (n.reason !== null) out.push(`${t.audit.returnReason}${t.colon}${n.reason}`)
  if (n.comment) out.push(`${t.review.comment}${t.colon}${n.comment}`)
  if (n.summary !== null) out.push(t.audit.summaryNo(n.summary))
  if (n.nudge) {
    const whom = n.nudge.units.map((u) => names.unit(u)).join(t.listSeparator)
    const which = n.nudge.which === null ? null : t.nudge[n.nudge.which]
    out.push(`${t.audit.nudged}${t.colon}${whom}${which === null ? "" : `${t.open}${which}${t.close}`}`)
    if (n.nudge.message !== null) out.push(`${t.notices.message}${t.colon}${n.nudge.message}`)
  }
  if (n.refusal !== null) {
    const action = t.audit.actions[n.refusal.action] ?? n.refusal.action
    out.push(`${t.audit.refused}${t.colon}${action}${t.open}${refWords(n.refusal.ref, t, names)}${t.close}`)
    if (n.refusal.en) out.push(t.audit.refusalReason(n.refusal.zh, n.refusal.en))
  }
  return out
}

/** The entry in the language of `t`. */
export const entryWords = (e: TrailEntry, t: Messages, names: Names): EntryWords => {
  const words = stateWords(e.unit === null ? "campaign" : "unit", t, names)
  const unit = e.unit ?? e.note.subjectUnit
  return {
    event: t.machine.events[e.event] ?? e.event,
    subject: [
      e.task ? names.task(e.task) : e.note.phase ? names.phase(e.note.phase) : null,
      unit ? names.unit(unit) : null,
    ].filter((part): part is string => part !== null),
    actor: t.audit.actors[e.role] ?? e.actorName ?? e.actor,
    role: t.roles[e.role] ?? e.role,
    actorUnit: e.actorUnit ? names.unit(e.actorUnit) : null,
    cause: causeWords(e.cause, t),
    changes: stateChanges(e.before, e.after).map((c) => ({
      path: c.path.join("."),
      region: words.region(c.path),
      from: words.state(c.path, c.from),
      to: words.state(c.path, c.to),
    })),
    notes: noteWords(e, t, names),
  }
}
