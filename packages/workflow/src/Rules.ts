/**
 * Rules between a report's figures: "attended <= invited", "lectures + stands = total",
 * and conditions ("when lectures > 0, the lecture notes are required"). Written as short
 * expressions in the definition, parsed once when it is normalized, and evaluated with
 * exact decimals by the same function in the browser, the CLI and the engine.
 */
import { addDecimal, canonicalDecimal, compareDecimal } from "./Decimal.ts"
import type { Problem } from "./Problem.ts"

/** How two sides compare. */
export type Operator = "<=" | "<" | "=" | ">=" | ">"

/** A term of a side: a figure's value, or a constant. */
export type Term = { readonly figure: string } | { readonly constant: string }

/** `left op right`, each side a sum of terms. */
export interface Comparison {
  readonly left: ReadonlyArray<Term>
  readonly op: Operator
  readonly right: ReadonlyArray<Term>
}

/** A rule in its normalized form. */
export interface Rule {
  /** The rule as written, for people reading the definition. */
  readonly text: string
  /** The condition under which the rule applies; null: always. */
  readonly when: Comparison | null
  /** The comparison that must hold; null for a rule that only requires a narrative field. */
  readonly check: Comparison | null
  /** The narrative field that must be filled in when `when` holds. */
  readonly require: string | null
  /** The office's own words for a report breaking it, instead of the generated ones. */
  readonly message: { readonly zh: string; readonly en?: string | undefined } | null
}

const operators: ReadonlyArray<[string, Operator]> = [
  ["<=", "<="],
  [">=", ">="],
  ["==", "="],
  ["≤", "<="],
  ["≥", ">="],
  ["<", "<"],
  [">", ">"],
  ["=", "="],
]

const figureKey = /^[a-z0-9][a-z0-9-]{0,62}$/

const parseSide = (text: string): ReadonlyArray<Term> | string => {
  const parts = text.split("+").map((part) => part.trim())
  const terms: Term[] = []
  for (const part of parts) {
    if (part === "") return "缺少加数 / a term is missing"
    const constant = canonicalDecimal(part)
    if (constant !== undefined) terms.push({ constant })
    else if (figureKey.test(part)) terms.push({ figure: part })
    else return `“${part}”不是数据项标识或数字 / "${part}" is neither a figure key nor a number`
  }
  return terms
}

/** Parses `a + b <= c`; a string is the reason it does not parse ("中文 / English"). */
export const parseComparison = (text: string): Comparison | string => {
  for (const [symbol, op] of operators) {
    const at = text.indexOf(symbol)
    if (at < 0) continue
    const right = text.slice(at + symbol.length)
    if (operators.some(([other]) => right.includes(other)))
      return "只能有一个比较符 / only one comparison operator is allowed"
    const leftTerms = parseSide(text.slice(0, at))
    if (typeof leftTerms === "string") return leftTerms
    const rightTerms = parseSide(right)
    if (typeof rightTerms === "string") return rightTerms
    if (![...leftTerms, ...rightTerms].some((term) => "figure" in term))
      return "须至少涉及一个数据项 / must name at least one figure"
    return { left: leftTerms, op, right: rightTerms }
  }
  return "缺少比较符（<=、<、=、>=、>） / a comparison operator (<=, <, =, >=, >) is missing"
}

/** The figure keys a comparison names, in order of appearance. */
export const figuresOf = (comparison: Comparison): ReadonlyArray<string> =>
  [...comparison.left, ...comparison.right].flatMap((term) => ("figure" in term ? [term.figure] : []))

/** The figures and narrative fields a rule names. */
export const namesOf = (rule: Rule): { figures: ReadonlyArray<string>; narrative: ReadonlyArray<string> } => ({
  figures: [...(rule.when ? figuresOf(rule.when) : []), ...(rule.check ? figuresOf(rule.check) : [])],
  narrative: rule.require === null ? [] : [rule.require],
})

/** A side's value, or undefined when a figure it names has none. */
const sideValue = (side: ReadonlyArray<Term>, figures: Readonly<Record<string, string>>): string | undefined => {
  let sum = "0"
  for (const term of side) {
    const value = "figure" in term ? figures[term.figure] : term.constant
    if (value === undefined) return undefined
    sum = addDecimal(sum, value)
  }
  return sum
}

const holds = (op: Operator, order: -1 | 0 | 1): boolean =>
  op === "<=" ? order <= 0 : op === "<" ? order < 0 : op === "=" ? order === 0 : op === ">=" ? order >= 0 : order > 0

/** A comparison's sides and whether it holds, or undefined when a figure it names has no value. */
const evaluate = (comparison: Comparison, figures: Readonly<Record<string, string>>) => {
  const left = sideValue(comparison.left, figures)
  const right = sideValue(comparison.right, figures)
  if (left === undefined || right === undefined) return undefined
  return { left, right, holds: holds(comparison.op, compareDecimal(left, right)) }
}

/** How figures are named in messages: their labels. */
export interface RuleLabels {
  readonly figure: (key: string) => { readonly zh: string; readonly en: string }
  readonly narrative: (key: string) => { readonly zh: string; readonly en: string }
}

const opWords: Record<Operator, { zh: string; en: string }> = {
  "<=": { zh: "不大于", en: "at most" },
  "<": { zh: "小于", en: "less than" },
  "=": { zh: "等于", en: "equal to" },
  ">=": { zh: "不小于", en: "at least" },
  ">": { zh: "大于", en: "greater than" },
}

const sideWords = (side: ReadonlyArray<Term>, labels: RuleLabels) => {
  const zh = side.map((term) => ("figure" in term ? `“${labels.figure(term.figure).zh}”` : term.constant))
  const en = side.map((term) => ("figure" in term ? `"${labels.figure(term.figure).en}"` : term.constant))
  return side.length === 1
    ? { zh: zh[0] ?? "", en: en[0] ?? "" }
    : { zh: `${zh.join("与")}之和`, en: `the sum of ${en.join(" and ")}` }
}

/** "“参会单位”不大于“邀请单位”", with each side's value when known. */
const comparisonWords = (
  comparison: Comparison,
  labels: RuleLabels,
  mood: "must" | "is",
  values?: { readonly left: string; readonly right: string },
) => {
  const left = sideWords(comparison.left, labels)
  const right = sideWords(comparison.right, labels)
  const figureSide = (side: ReadonlyArray<Term>) => side.some((term) => "figure" in term)
  const lv = values && figureSide(comparison.left) ? values.left : undefined
  const rv = values && figureSide(comparison.right) ? values.right : undefined
  const words = opWords[comparison.op]
  const shall = mood === "must" ? { zh: "应", en: "must be" } : { zh: "", en: "is" }
  return {
    zh: `${left.zh}${lv === undefined ? "" : `（${lv}）`}${shall.zh}${words.zh}${right.zh}${rv === undefined ? "" : `（${rv}）`}`,
    en: `${left.en}${lv === undefined ? "" : ` (${lv})`} ${shall.en} ${words.en} ${right.en}${rv === undefined ? "" : ` (${rv})`}`,
  }
}

/**
 * The problems a report's figures and narrative give under `rules`. A rule is checked only
 * when every figure it names has a value: a missing or malformed figure is reported on its
 * own, and an optional figure left empty takes no part in a rule.
 */
export const checkRules = (
  rules: ReadonlyArray<Rule>,
  figures: Readonly<Record<string, string>>,
  narrative: Readonly<Record<string, string>>,
  labels: RuleLabels,
): Problem[] => {
  const problems: Problem[] = []
  for (const rule of rules) {
    let condition: { zh: string; en: string } | null = null
    if (rule.when !== null) {
      const when = evaluate(rule.when, figures)
      if (when === undefined || !when.holds) continue
      const words = comparisonWords(rule.when, labels, "is")
      condition = { zh: `${words.zh}时，`, en: `when ${words.en}, ` }
    }
    if (rule.check !== null) {
      const result = evaluate(rule.check, figures)
      if (result === undefined || result.holds) continue
      const first = figuresOf(rule.check)[0] ?? ""
      const words = comparisonWords(rule.check, labels, "must", result)
      problems.push({
        path: `figures.${first}`,
        zh: rule.message?.zh ?? `${condition?.zh ?? ""}${words.zh}`,
        en: rule.message?.en ?? rule.message?.zh ?? `${condition?.en ?? ""}${words.en}`,
      })
    } else if (rule.require !== null && (narrative[rule.require] ?? "").trim() === "") {
      const field = labels.narrative(rule.require)
      problems.push({
        path: `narrative.${rule.require}`,
        zh: rule.message?.zh ?? `${condition?.zh ?? ""}请填写“${field.zh}”`,
        en: rule.message?.en ?? rule.message?.zh ?? `${condition?.en ?? ""}"${field.en}" is required`,
      })
    }
  }
  return problems
}

/** A rule as the definition writes it (Definition.ts' `RuleInput`). */
export type RuleSource =
  | string
  | {
      readonly check?: string
      readonly when?: string | undefined
      readonly require?: string
      readonly message?: { readonly zh: string; readonly en?: string | undefined } | undefined
    }

/** The normalized rule, or why it does not parse ("中文 / English"). */
export const ruleOf = (source: RuleSource): Rule | string => {
  const written = typeof source === "string" ? { check: source } : source
  const when = written.when === undefined ? null : parseComparison(written.when)
  if (typeof when === "string") return when
  const check = written.check === undefined ? null : parseComparison(written.check)
  if (typeof check === "string") return check
  const text = [written.when && `when ${written.when}`, written.check, written.require && `require ${written.require}`]
    .filter((part) => part !== undefined && part !== "")
    .join(": ")
  return { text, when, check, require: written.require ?? null, message: written.message ?? null }
}
