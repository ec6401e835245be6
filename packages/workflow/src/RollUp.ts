/**
 * The totals a consolidated summary states, computed from approved reports alone:
 * each figure over the whole campaign, and each level of the hierarchy (a unit with
 * subordinates: itself and everything below it). The summary's writer journals the
 * totals it computed in SQL; verification recomputes them here, from the journal.
 */
import { addDecimal, compareDecimal } from "./Decimal.ts"
import type { Campaign } from "./Definition.ts"
import { childUnits } from "./Hierarchy.ts"

/** One figure's total: exact decimal text, by the figure's aggregation. */
export interface FigureSum {
  readonly task: string
  readonly figure: string
  readonly total: string
}

/** The totals of one level: the unit, its subordinates and theirs. */
export interface LevelTotals {
  readonly unit: string
  readonly totals: ReadonlyArray<FigureSum>
}

/** The totals a summary rests on. */
export interface RolledUp {
  /** every figure of every task, in definition order; "0" where nothing was approved */
  readonly totals: ReadonlyArray<FigureSum>
  /** every unit that has subordinates, in definition order, with the figures its subtree reported */
  readonly levels: ReadonlyArray<LevelTotals>
}

/** An approved report as the roll-up needs it. */
export interface ApprovedFigures {
  readonly unit: string
  readonly task: string
  readonly figures: Readonly<Record<string, string>>
}

type Aggregate = "sum" | "max" | "min"

const combine = (aggregate: Aggregate, a: string | undefined, b: string): string => {
  if (a === undefined) return b
  if (aggregate === "sum") return addDecimal(a, b)
  const order = compareDecimal(a, b)
  return aggregate === "max" ? (order >= 0 ? a : b) : order <= 0 ? a : b
}

/** Totals of the latest approved report of each unit and task, whole and by level. */
export const rollUp = (campaign: Campaign, reports: Iterable<ApprovedFigures>): RolledUp => {
  const figures = campaign.phases.flatMap((p) =>
    p.tasks.flatMap((t) => t.figures.map((f) => ({ task: t.key, figure: f.key, aggregate: f.aggregate }))),
  )
  const aggregateOf = new Map(figures.map((f) => [`${f.task}\u0000${f.figure}`, f.aggregate]))
  const parentOf = new Map(campaign.units.map((u) => [u.key, u.parent]))
  const levels = campaign.units.filter((u) => childUnits(campaign, u.key).length > 0).map((u) => u.key)
  const isLevel = new Set(levels)
  const whole = new Map<string, string>()
  const byLevel = new Map<string, Map<string, string>>()
  for (const report of reports) {
    // The levels a unit's figures count towards: itself when it has subordinates, and every unit above it.
    const above: string[] = []
    const seen = new Set<string>()
    for (
      let unit: string | null | undefined = report.unit;
      unit != null && !seen.has(unit);
      unit = parentOf.get(unit)
    ) {
      seen.add(unit)
      if (isLevel.has(unit)) above.push(unit)
    }
    for (const [figure, value] of Object.entries(report.figures)) {
      const key = `${report.task}\u0000${figure}`
      const aggregate = aggregateOf.get(key)
      if (aggregate === undefined) continue
      whole.set(key, combine(aggregate, whole.get(key), value))
      for (const level of above) {
        let totals = byLevel.get(level)
        if (totals === undefined) {
          totals = new Map()
          byLevel.set(level, totals)
        }
        totals.set(key, combine(aggregate, totals.get(key), value))
      }
    }
  }
  return {
    totals: figures.map((f) => ({
      task: f.task,
      figure: f.figure,
      total: whole.get(`${f.task}\u0000${f.figure}`) ?? "0",
    })),
    levels: levels.map((unit) => {
      const totals = byLevel.get(unit)
      return {
        unit,
        totals: figures.flatMap((f) => {
          const total = totals?.get(`${f.task}\u0000${f.figure}`)
          return total === undefined ? [] : [{ task: f.task, figure: f.figure, total }]
        }),
      }
    }),
  }
}
