/**
 * Checking a unit's report against its task: every figure present, a number
 * of the right kind within bounds, and the narrative the task asks for. Values
 * become canonical decimal strings and never pass through floating point.
 */
import { Result } from "effect"
import { canonicalDecimal, figureDecimal } from "./Decimal.ts"
import type { Task } from "./Definition.ts"
import type { Problem } from "./Problem.ts"
import { checkRules } from "./Rules.ts"

export { canonicalDecimal, figureDecimal }

/** A report that passed its task's checks. */
export interface ValidReport {
  /** figure key → canonical decimal text, e.g. "10350" or "12.5" */
  readonly figures: Readonly<Record<string, string>>
  readonly narrative: Readonly<Record<string, string>>
}

const problem = (path: string, zh: string, en: string): Problem => ({ path, zh, en })

/**
 * The places in untrusted input holding text PostgreSQL cannot store or Unicode does not
 * allow — a NUL character, half of a surrogate pair — keys included, as problems naming each.
 */
export const unstorableText = (input: unknown, prefix: ReadonlyArray<string | number> = []): Problem[] => {
  const found: Problem[] = []
  const bad = (text: string) => text.includes("\u0000") || !text.isWellFormed()
  const problem = (path: ReadonlyArray<string | number>) =>
    found.push({
      path: path.join("."),
      zh: "含有不允许的字符(NUL 或不成对的代理项)",
      en: "contains a character that is not allowed (NUL or a lone surrogate)",
    })
  const walk = (value: unknown, at: ReadonlyArray<string | number>) => {
    if (found.length >= 10) return
    if (typeof value === "string") {
      if (bad(value)) problem(at)
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, [...at, i])
    } else if (typeof value === "object" && value !== null)
      for (const [key, item] of Object.entries(value)) {
        if (bad(key)) problem([...at, key])
        else walk(item, [...at, key])
      }
  }
  walk(input, prefix)
  return found
}

/** Validates a report for a task; every problem is reported at once. */
export const validateReport = (
  task: Task,
  input: {
    readonly figures: Readonly<Record<string, string | number>>
    readonly narrative?: Readonly<Record<string, string>>
  },
): Result.Result<ValidReport, Problem[]> => {
  const problems: Problem[] = []
  const figures: Record<string, string> = {}
  const known = new Set(task.figures.map((f) => f.key))
  for (const key of Object.keys(input.figures)) {
    if (!known.has(key))
      problems.push(
        problem(`figures.${key}`, `任务“${task.title.zh}”没有这一数据项`, `the task "${task.key}" has no such figure`),
      )
  }
  for (const figure of task.figures) {
    const path = `figures.${figure.key}`
    const raw = input.figures[figure.key]
    if (raw === undefined || (typeof raw === "string" && raw.trim() === "")) {
      if (figure.required)
        problems.push(
          problem(
            path,
            `请填写“${figure.label.zh}”(${figure.measure})`,
            `"${figure.label.en ?? figure.key}" is required`,
          ),
        )
      continue
    }
    const value = figureDecimal(raw)
    if (value === undefined) {
      problems.push(
        problem(path, `“${figure.label.zh}”须为数字`, `"${figure.label.en ?? figure.key}" must be a number`),
      )
      continue
    }
    const places = value.split(".")[1]?.length ?? 0
    if (figure.kind === "integer" && places > 0) {
      problems.push(
        problem(path, `“${figure.label.zh}”须为整数`, `"${figure.label.en ?? figure.key}" must be a whole number`),
      )
      continue
    }
    if (places > figure.scale) {
      problems.push(
        problem(
          path,
          `“${figure.label.zh}”最多 ${figure.scale} 位小数`,
          `"${figure.label.en ?? figure.key}" has at most ${figure.scale} decimal places`,
        ),
      )
      continue
    }
    const n = Number(value)
    if (n < figure.min)
      problems.push(
        problem(
          path,
          `“${figure.label.zh}”不能小于 ${figure.min}`,
          `"${figure.label.en ?? figure.key}" must be at least ${figure.min}`,
        ),
      )
    else if (figure.max !== null && n > figure.max)
      problems.push(
        problem(
          path,
          `“${figure.label.zh}”不能大于 ${figure.max}`,
          `"${figure.label.en ?? figure.key}" must be at most ${figure.max}`,
        ),
      )
    else figures[figure.key] = value
  }
  const narrativeInput = input.narrative ?? {}
  const narrative: Record<string, string> = {}
  const fields = new Set(task.narrative.map((n) => n.key))
  for (const key of Object.keys(narrativeInput)) {
    if (!fields.has(key))
      problems.push(problem(`narrative.${key}`, "任务没有这一文字项", `the task has no narrative field "${key}"`))
  }
  for (const field of task.narrative) {
    const text = (narrativeInput[field.key] ?? "").trim()
    const path = `narrative.${field.key}`
    const unstorable = unstorableText(text, ["narrative", field.key])
    if (unstorable.length > 0) {
      problems.push(...unstorable)
      continue
    }
    if (text === "") {
      if (field.required)
        problems.push(problem(path, `请填写“${field.label.zh}”`, `"${field.label.en ?? field.key}" is required`))
      continue
    }
    if (text.length > field.maxLength) {
      problems.push(
        problem(
          path,
          `“${field.label.zh}”不超过 ${field.maxLength} 字`,
          `"${field.label.en ?? field.key}" is at most ${field.maxLength} characters`,
        ),
      )
      continue
    }
    narrative[field.key] = text
  }
  // Rules relate figures that passed their own checks; a figure already refused is not judged twice.
  if (task.rules !== undefined && task.rules.length > 0) {
    const label = (l: { zh: string; en?: string | undefined } | undefined, key: string) => ({
      zh: l?.zh ?? key,
      en: l?.en ?? key,
    })
    problems.push(
      ...checkRules(task.rules, figures, narrative, {
        figure: (key) => label(task.figures.find((f) => f.key === key)?.label, key),
        narrative: (key) => label(task.narrative.find((n) => n.key === key)?.label, key),
      }),
    )
  }
  return problems.length > 0 ? Result.fail(problems) : Result.succeed({ figures, narrative })
}
