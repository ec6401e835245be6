/**
 * From what an author writes to the normalized campaign: decode with Effect
 * Schema, fill in defaults, resolve times and assignments, then check the
 * meaning. Every problem is collected and reported at once, with its path.
 */
import { Effect, Result, Schema } from "effect"
import { checkCampaign } from "./Checks.ts"
import {
  type Campaign,
  CampaignInput,
  type Figure,
  type Gate,
  type NarrativeField,
  type Phase,
  type Task,
  type Unit,
} from "./Definition.ts"
import { isListed } from "./Listed.ts"
import { formatProblems, issueProblems, type Problem } from "./Problem.ts"
import { unstorableText } from "./Report.ts"
import { type Rule, ruleOf } from "./Rules.ts"
import { durationMs, isTimeZone, resolveTime } from "./Time.ts"

/** A definition that cannot be deployed, with every problem found. */
export class DefinitionError extends Schema.TaggedError<DefinitionError>()("DefinitionError", {
  problems: Schema.Array(Schema.Struct({ path: Schema.String, zh: Schema.String, en: Schema.String })),
}) {
  override get message(): string {
    return formatProblems(this.problems)
  }
}

const standardPhaseNames: Record<string, { zh: string; en: string }> = {
  preparation: { zh: "筹备", en: "Preparation" },
  publicity: { zh: "宣传", en: "Publicity" },
  enforcement: { zh: "执法", en: "Enforcement" },
  summary: { zh: "总结", en: "Summary" },
}

/** The narrative every report has unless a task says otherwise. */
export const defaultNarrative: ReadonlyArray<NarrativeField> = [
  { key: "narrative", label: { zh: "工作情况", en: "What was done" }, required: true, maxLength: 20_000 },
  { key: "highlights", label: { zh: "亮点", en: "Highlights" }, required: false, maxLength: 20_000 },
  { key: "difficulties", label: { zh: "困难和问题", en: "Difficulties" }, required: false, maxLength: 20_000 },
]

type Input = typeof CampaignInput.Type

const subordinates = (units: ReadonlyArray<Input["units"][number]>, root: string): string[] => {
  // Sets, not lists: a national campaign assigns tasks below a province of thousands of units.
  const below = new Set<string>()
  const seen = new Set<string>([root])
  let frontier = new Set([root])
  while (frontier.size > 0) {
    const next = units
      .filter((u) => u.parent !== undefined && frontier.has(u.parent) && !seen.has(u.key))
      .map((u) => u.key)
    for (const key of next) {
      seen.add(key)
      below.add(key)
    }
    frontier = new Set(next)
  }
  return units.map((u) => u.key).filter((k) => below.has(k))
}

const assignees = (input: Input, task: Input["phases"][number]["tasks"][number]): string[] => {
  const a = task.assign
  const picked =
    "units" in a
      ? input.units.filter((u) => isListed(a.units, u.key)).map((u) => u.key)
      : "roles" in a
        ? input.units.filter((u) => a.roles.includes(u.role)).map((u) => u.key)
        : "levels" in a
          ? input.units.filter((u) => u.level !== undefined && a.levels.includes(u.level)).map((u) => u.key)
          : "subordinatesOf" in a
            ? subordinates(input.units, a.subordinatesOf)
            : input.units.map((u) => u.key)
  const except = new Set(task.except ?? [])
  return picked.filter((key) => !except.has(key))
}

const gateOf = (gate: Input["phases"][number]["gate"]): Gate =>
  gate === undefined || gate === "all"
    ? { kind: "all" }
    : gate === "date"
      ? { kind: "date" }
      : // `early` only when set, so definitions without it keep their hash.
        { kind: "quorum", ratio: gate.quorum, ...(gate.early === true ? { early: true as const } : {}) }

const figureOf = (f: NonNullable<Input["phases"][number]["tasks"][number]["figures"]>[number]): Figure => {
  const kind = f.kind ?? "integer"
  return {
    key: f.key,
    label: f.label,
    measure: f.measure,
    kind,
    min: f.min ?? 0,
    max: f.max ?? null,
    scale: kind === "integer" ? 0 : (f.scale ?? 2),
    aggregate: f.aggregate ?? "sum",
    phrasing: f.phrasing ?? "exact",
    required: f.required ?? true,
  }
}

/** A task's parsed rules, only when it has some; those that do not parse are reported by the checks. */
const rulesOf = (sources: Input["phases"][number]["tasks"][number]["rules"]): { rules?: ReadonlyArray<Rule> } => {
  const rules = (sources ?? []).map(ruleOf).filter((rule): rule is Rule => typeof rule !== "string")
  return rules.length > 0 ? { rules } : {}
}

/** Builds the normalized campaign; times that do not parse stay as written and are reported by the checks. */
const normalize = (input: Input): Campaign => {
  const timeZone = input.timeZone ?? "Asia/Shanghai"
  const zone = isTimeZone(timeZone) ? timeZone : "UTC"
  const at = (text: string, endOfDay: boolean) => resolveTime(text, zone, endOfDay) ?? text
  const units: Unit[] = input.units.map((u) => ({
    key: u.key,
    name: u.name,
    nameEn: u.nameEn ?? null,
    role: u.role,
    parent: u.parent ?? null,
    level: u.level ?? null,
    ...(u.kind === undefined
      ? {}
      : { kind: typeof u.kind === "string" ? { zh: u.kind, en: null } : { zh: u.kind.zh, en: u.kind.en ?? null } }),
  }))
  const phases: Phase[] = input.phases.map((p) => {
    const tasks: Task[] = p.tasks.map((t) => {
      const deadline = at(t.deadline, true)
      const remindersBefore = (instant: string) =>
        (t.reminders ?? [])
          .map((d) => Date.parse(instant) - durationMs(d))
          .filter((ms) => Number.isFinite(ms))
          .sort((a, b) => a - b)
          .map((ms) => new Date(ms).toISOString())
      return {
        key: t.key,
        phase: p.key,
        title: t.title,
        description: t.description ?? null,
        units: assignees(input, t),
        deadline,
        reminders: remindersBefore(deadline),
        figures: (t.figures ?? []).map(figureOf),
        narrative:
          t.narrative === undefined
            ? defaultNarrative
            : t.narrative.map((n) => ({
                key: n.key,
                label: n.label,
                required: n.required ?? false,
                maxLength: n.maxLength ?? 20_000,
                // Only when given, so definitions without it normalize as before.
                ...(n.about === undefined ? {} : { about: n.about as "place" | "date" | "people" }),
              })),
        ...rulesOf(t.rules),
        ...(t.escalate === undefined ? {} : { escalate: t.escalate }),
        // Only when given, so definitions without extensions keep their hash.
        ...(t.extensions === undefined || t.extensions.length === 0
          ? {}
          : {
              extensions: t.extensions.map((e) => {
                const later = at(e.deadline, true)
                return { units: e.units, deadline: later, reminders: remindersBefore(later) }
              }),
            }),
      }
    })
    const involved = new Set(tasks.flatMap((t) => t.units))
    return {
      key: p.key,
      name: p.name ?? standardPhaseNames[p.key] ?? { zh: p.key, en: p.key },
      heading: p.heading ?? null,
      opensAt: at(p.opensAt, false),
      closesAt: at(p.closesAt, true),
      gate: gateOf(p.gate),
      tasks,
      participants: units.map((u) => u.key).filter((k) => involved.has(k)),
    }
  })
  return {
    key: input.key,
    title: input.title,
    titleEn: input.titleEn ?? null,
    theme: input.theme ?? null,
    authority: input.authority ?? null,
    timeZone,
    coordinator: input.coordinator,
    units,
    phases,
    summary: input.summary ?? {},
  }
}

const decodeInput = Schema.decodeUnknownResult(CampaignInput)

/** Decodes, normalizes and checks a definition; a Result of the campaign or every problem found. */
export const validateCampaign = (input: unknown): Result.Result<Campaign, ReadonlyArray<Problem>> => {
  // Text the database cannot store (NUL, a lone surrogate) is named here, not met as a database error.
  const unstorable = unstorableText(input)
  if (unstorable.length > 0) return Result.fail(unstorable)
  const decoded = decodeInput(input, { errors: "all", onExcessProperty: "error" })
  if (Result.isFailure(decoded)) return Result.fail(issueProblems(decoded.failure.issue))
  const campaign = normalize(decoded.success)
  const problems = checkCampaign(decoded.success, campaign)
  return problems.length > 0 ? Result.fail(problems) : Result.succeed(campaign)
}

/** Decodes and checks a definition as an Effect. */
export const decodeCampaign = (input: unknown): Effect.Effect<Campaign, DefinitionError> => {
  const result = validateCampaign(input)
  return Result.isSuccess(result)
    ? Effect.succeed(result.success)
    : Effect.fail(new DefinitionError({ problems: [...result.failure] }))
}

/**
 * Defines a campaign in code. Checks it at once (throwing a DefinitionError
 * that names every problem) and returns it as written, ready to deploy.
 */
export const defineCampaign = <const C extends typeof CampaignInput.Encoded>(input: C): C => {
  const result = validateCampaign(input)
  if (Result.isFailure(result)) throw new DefinitionError({ problems: [...result.failure] })
  return input
}

/** The normalized campaign of a definition that is known to be valid (throws otherwise). */
export const normalizeCampaign = (input: typeof CampaignInput.Encoded): Campaign => {
  const result = validateCampaign(input)
  if (Result.isFailure(result)) throw new DefinitionError({ problems: [...result.failure] })
  return result.success
}
