/**
 * The campaign definition language: what a coordinating office writes.
 *
 * `CampaignInput` is what authors type (defaults may be left out, times may be
 * local to the campaign's time zone); `Campaign` is the normalized form that is
 * stored, hashed and compiled into machines (every default filled in, every
 * time an ISO instant in UTC).
 */
import { Schema } from "effect"
import { isListed } from "./Listed.ts"
import type { Rule } from "./Rules.ts"

/** A key names a unit, phase, task or figure: lower-case ASCII, digits and dashes. */
export const Key = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    message:
      "须为小写字母、数字和连字符组成的标识(最长 63 字符) / must be lower-case letters, digits and dashes (at most 63 characters)",
  }),
)
export type Key = typeof Key.Type

/** A label in Chinese, with an optional English rendering. */
export const Label = Schema.Struct({
  zh: Schema.NonEmptyString,
  en: Schema.optional(Schema.String),
})
export type Label = typeof Label.Type

/** How a unit takes part: 主办 host, 承办 implementer, 协办 co-organiser, 成员单位 member, 下级单位 subordinate. */
export const UnitRole = Schema.Literals(["host", "implementer", "co-organiser", "member", "subordinate"])
export type UnitRole = typeof UnitRole.Type

/** Chinese and English names of the unit roles. */
export const unitRoleLabels: Record<UnitRole, Required<Label>> = {
  host: { zh: "主办", en: "host" },
  implementer: { zh: "承办", en: "implementer" },
  "co-organiser": { zh: "协办", en: "co-organiser" },
  member: { zh: "成员单位", en: "member unit" },
  subordinate: { zh: "下级单位", en: "subordinate unit" },
}

/** Administrative level of a unit in the hierarchy national > province > city > county. */
export const UnitLevel = Schema.Literals(["national", "province", "city", "county"])
export type UnitLevel = typeof UnitLevel.Type

/**
 * A date-time as authors write it: `2026-04-13` (a whole day), `2026-04-13T09:00`
 * (local time in the campaign's time zone) or an ISO instant with `Z` or an offset.
 */
export const DateTimeInput = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/, {
    message:
      "须为日期或日期时间,如 2026-04-13 或 2026-04-13T09:00 / must be a date or date-time such as 2026-04-13 or 2026-04-13T09:00",
  }),
)

/** An ISO-8601 duration of days, hours and minutes, such as `P2D` or `PT4H`. */
export const Duration = Schema.String.check(
  Schema.isPattern(/^P(?=\d|T\d)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?)?$/, {
    message: "须为 ISO-8601 时长,如 P2D、PT4H / must be an ISO-8601 duration such as P2D or PT4H",
  }),
)

/** A figure a task must report: a count or amount with its measure word (份, 场, 人次, 家, 次 …). */
export const FigureInput = Schema.Struct({
  key: Key,
  label: Label,
  /** 量词, the measure word the figure is counted in. */
  measure: Schema.NonEmptyString,
  kind: Schema.optional(Schema.Literals(["integer", "decimal"])),
  min: Schema.optional(Schema.Finite),
  max: Schema.optional(Schema.Finite),
  /** Decimal places allowed for a decimal figure (default 2). */
  scale: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 6 }))),
  aggregate: Schema.optional(Schema.Literals(["sum", "max", "min"])),
  /** `approximate` phrases totals the official way ("260余人次"); `exact` prints them as they are. */
  phrasing: Schema.optional(Schema.Literals(["approximate", "exact"])),
  required: Schema.optional(Schema.Boolean),
})

/** What a narrative field holds when it states one fact of an activity, for the 简报's lead sentence. */
export const NarrativeAbout = Schema.String.check(
  Schema.isPattern(/^(?:place|date|people)$/, {
    message: "须为 place(地点)、date(日期)或 people(人员) / must be place, date or people",
  }),
)

/** A free-text part of a report: what was done, highlights, difficulties. */
export const NarrativeInput = Schema.Struct({
  key: Key,
  label: Label,
  required: Schema.optional(Schema.Boolean),
  maxLength: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100_000 }))),
  about: Schema.optional(NarrativeAbout),
})

/**
 * A rule between a task's figures: an expression (`attended <= invited`, `a + b = total`), or
 * the same with a condition and the office's own message, or a condition that requires a
 * narrative field (`{ when: "lectures > 0", require: "lecture-notes" }`).
 */
export const RuleInput = Schema.Union([
  Schema.NonEmptyString,
  Schema.Struct({
    check: Schema.NonEmptyString,
    when: Schema.optional(Schema.NonEmptyString),
    message: Schema.optional(Label),
  }),
  Schema.Struct({ when: Schema.NonEmptyString, require: Key, message: Schema.optional(Label) }),
])
export type RuleInput = typeof RuleInput.Type

/** A list that must name at least one entry. */
const NonEmpty = <S extends Schema.Top>(item: S) =>
  Schema.Array(item).check(Schema.isMinLength(1, { message: "至少需要一项 / needs at least one entry" }))

/** Who must take a task. */
export const AssignmentInput = Schema.Union([
  Schema.Struct({ units: NonEmpty(Key) }),
  Schema.Struct({ roles: NonEmpty(UnitRole) }),
  Schema.Struct({ levels: NonEmpty(UnitLevel) }),
  Schema.Struct({ subordinatesOf: Key }),
  Schema.Struct({ everyone: Schema.Literal(true) }),
])

/** A task of a phase: assigned to units, due by a deadline, reporting figures and narrative. */
export const TaskInput = Schema.Struct({
  key: Key,
  title: Label,
  /** One sentence on what the task asks for; the summary may use it. */
  description: Schema.optional(Schema.String),
  assign: AssignmentInput,
  /** Units left out of the assignment. */
  except: Schema.optional(Schema.Array(Key)),
  deadline: DateTimeInput,
  /** Reminders, as durations before the deadline. */
  reminders: Schema.optional(Schema.Array(Duration)),
  figures: Schema.optional(Schema.Array(FigureInput)),
  narrative: Schema.optional(Schema.Array(NarrativeInput)),
  /** Rules between the figures, checked on every report (see Rules.ts). */
  rules: Schema.optional(Schema.Array(RuleInput)),
  /** How long after its deadline a task still not reported is escalated to the unit above (逾期上报). */
  escalate: Schema.optional(Duration),
  /** Later deadlines granted to some units (延期); the last one naming a unit holds for it. */
  extensions: Schema.optional(Schema.Array(Schema.Struct({ units: NonEmpty(Key), deadline: DateTimeInput }))),
})

/**
 * When a phase may close: all participants done, its closing date, or a quorum of participants
 * done once the date has passed — or, with `early: true`, as soon as the share is done.
 */
export const GateInput = Schema.Union([
  Schema.Literals(["all", "date"]),
  Schema.Struct({
    quorum: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1, exclusiveMinimum: true })),
    /** Close as soon as the share is done, not only once the closing date has passed. */
    early: Schema.optional(Schema.Boolean),
  }),
])

/** A phase of the campaign: 筹备, 宣传, 执法, 总结 or one the office names. */
export const PhaseInput = Schema.Struct({
  key: Key,
  name: Schema.optional(Label),
  /** The four-character paired heading the summary uses for this phase (e.g. 高度重视、精心组织). */
  heading: Schema.optional(Schema.String),
  opensAt: DateTimeInput,
  closesAt: DateTimeInput,
  gate: Schema.optional(GateInput),
  tasks: Schema.Array(TaskInput),
})

/** A participating unit. */
/**
 * What a unit is, in the office's own word (协会, 企业, 执法大队, 高校…): an open list, beside
 * the closed `role` that says how it takes part. A word alone, or with its English.
 */
export const UnitKind = Schema.Union([Schema.NonEmptyString, Label])
export type UnitKind = typeof UnitKind.Type

export const UnitInput = Schema.Struct({
  key: Key,
  name: Schema.NonEmptyString,
  nameEn: Schema.optional(Schema.String),
  role: UnitRole,
  /** What the unit is (协会, 企业…); the summary counts members and subordinates by it. */
  kind: Schema.optional(UnitKind),
  parent: Schema.optional(Key),
  level: Schema.optional(UnitLevel),
})

/**
 * The summary block: the words of the consolidated summary that are the office's,
 * not data (defaults in packages/report are neutral, about no subject).
 */
export const SummaryPhrasesInput = Schema.Struct({
  /** How the issuing office calls itself in the body (我局, 我办…); by default from its name. */
  self: Schema.optional(Schema.String),
  /** What follows the facts of the opening paragraph (measures taken, the result, "现将…总结如下:"). */
  opening: Schema.optional(Schema.String),
  openingResult: Schema.optional(Schema.String),
  /** A lead paragraph per section, by phase key. */
  leads: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  /** Says after each difficulty how many units raised it ("（7家单位反映）"). */
  countDifficulties: Schema.optional(Schema.Boolean),
  difficultiesHeading: Schema.optional(Schema.String),
  difficultiesLead: Schema.optional(Schema.String),
  noDifficulties: Schema.optional(Schema.String),
  nextStepsHeading: Schema.optional(Schema.String),
  nextSteps: Schema.optional(Schema.String),
  closing: Schema.optional(Schema.String),
})
export type SummaryPhrases = typeof SummaryPhrasesInput.Type

/** The whole campaign as its author writes it. */
export const CampaignInput = Schema.Struct({
  key: Key,
  title: Schema.NonEmptyString,
  titleEn: Schema.optional(Schema.String),
  theme: Schema.optional(Schema.String),
  /** On whose instruction the campaign is run (按照…的部署). */
  authority: Schema.optional(Schema.String),
  timeZone: Schema.optional(Schema.NonEmptyString),
  coordinator: Key,
  units: NonEmpty(UnitInput),
  phases: NonEmpty(PhaseInput),
  /** Phrases of the consolidated summary that replace the defaults. */
  summary: Schema.optional(SummaryPhrasesInput),
})
export type CampaignInput = typeof CampaignInput.Encoded

// ---- The normalized form ----------------------------------------------------

/** A figure with every default filled in. */
export interface Figure {
  readonly key: string
  readonly label: Label
  readonly measure: string
  readonly kind: "integer" | "decimal"
  readonly min: number
  readonly max: number | null
  readonly scale: number
  readonly aggregate: "sum" | "max" | "min"
  readonly phrasing: "approximate" | "exact"
  readonly required: boolean
}

/** A narrative field with every default filled in. */
export interface NarrativeField {
  readonly key: string
  readonly label: Label
  readonly required: boolean
  readonly maxLength: number
  /** the activity's place, date or people, when the field holds just that */
  readonly about?: "place" | "date" | "people"
}

/** A task with its assignment resolved to unit keys and its times as UTC instants. */
export interface Task {
  readonly key: string
  readonly phase: string
  readonly title: Label
  readonly description: string | null
  /** The unit keys that must take the task, in definition order. */
  readonly units: ReadonlyArray<string>
  readonly deadline: string
  /** Reminder instants (ISO, UTC), earliest first. */
  readonly reminders: ReadonlyArray<string>
  readonly figures: ReadonlyArray<Figure>
  readonly narrative: ReadonlyArray<NarrativeField>
  /** Rules between the figures; absent when the task has none (so older definitions keep their hash). */
  readonly rules?: ReadonlyArray<Rule>
  /** Later deadlines for some units, their reminders moved with them; absent when none. */
  readonly extensions?: ReadonlyArray<Extension>
  /** How long after the deadline an unreported task goes to the unit above (ISO duration); absent when never. */
  readonly escalate?: string
}

/** A later deadline granted to some units of a task. */
export interface Extension {
  readonly units: ReadonlyArray<string>
  readonly deadline: string
  readonly reminders: ReadonlyArray<string>
}

/** The extension that holds for a unit: the last one naming it. */
const extensionFor = (task: Task, unit: string): Extension | undefined =>
  task.extensions?.findLast((e) => isListed(e.units, unit))

/** A unit's deadline for a task: an extension's, or the task's. */
export const deadlineOf = (task: Task, unit: string): string => extensionFor(task, unit)?.deadline ?? task.deadline

/** When a unit's task, still unreported, is escalated to the unit above; null when the task never is. */
export const escalationOf = (task: Task, unit: string, durationMs: (d: string) => number): string | null =>
  task.escalate === undefined
    ? null
    : new Date(Date.parse(deadlineOf(task, unit)) + durationMs(task.escalate)).toISOString()

/** A unit's reminder instants for a task, moved with its extension. */
export const remindersOf = (task: Task, unit: string): ReadonlyArray<string> =>
  extensionFor(task, unit)?.reminders ?? task.reminders

/** A gate: when a phase closes. */
export type Gate =
  | { readonly kind: "all" }
  | { readonly kind: "date" }
  | { readonly kind: "quorum"; readonly ratio: number; readonly early?: true }

/** A phase with its window as UTC instants. */
export interface Phase {
  readonly key: string
  readonly name: Label
  readonly heading: string | null
  readonly opensAt: string
  readonly closesAt: string
  readonly gate: Gate
  readonly tasks: ReadonlyArray<Task>
  /** The units with at least one task in this phase, in definition order. */
  readonly participants: ReadonlyArray<string>
}

/** A unit with its level resolved. */
export interface Unit {
  readonly key: string
  readonly name: string
  readonly nameEn: string | null
  readonly role: UnitRole
  readonly parent: string | null
  readonly level: UnitLevel | null
  /** What the unit is, when the definition says (absent otherwise, so older definitions keep their hash). */
  readonly kind?: { readonly zh: string; readonly en: string | null }
}

/** The normalized campaign: stored, hashed and compiled into machines. */
export interface Campaign {
  readonly key: string
  readonly title: string
  readonly titleEn: string | null
  readonly theme: string | null
  readonly authority: string | null
  readonly timeZone: string
  readonly coordinator: string
  readonly units: ReadonlyArray<Unit>
  readonly phases: ReadonlyArray<Phase>
  readonly summary: SummaryPhrases
}
