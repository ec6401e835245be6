/**
 * The totals of every level of the hierarchy (a unit with subordinates, and all
 * below it), summed in SQL on numeric in one statement. Journaled with the summary,
 * so an auditor can recompute each level's roll-up from the signed reports.
 */
import type { Database } from "@liandong/store"
import { type Campaign, childUnits, type FigureSum, type LevelTotals } from "@liandong/workflow"
import { type Kysely, sql } from "kysely"
import { latestApproved, normalize } from "./Totals.ts"

/** Every (level, unit) pair where the unit's figures count towards the level: the hierarchy's closure. */
const closure = (campaign: Campaign): Array<{ level: string; unit: string }> => {
  const parentOf = new Map(campaign.units.map((u) => [u.key, u.parent]))
  const levels = new Set(campaign.units.filter((u) => childUnits(campaign, u.key).length > 0).map((u) => u.key))
  const pairs: Array<{ level: string; unit: string }> = []
  for (const { key } of campaign.units) {
    const seen = new Set<string>()
    for (let unit: string | null | undefined = key; unit != null && !seen.has(unit); unit = parentOf.get(unit)) {
      seen.add(unit)
      if (levels.has(unit)) pairs.push({ level: unit, unit: key })
    }
  }
  return pairs
}

/** The totals of every level, in definition order; a level lists the figures its units reported. */
export const loadLevelTotals = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
): Promise<LevelTotals[]> => {
  const pairs = closure(campaign)
  const levels = new Set(pairs.map((p) => p.level))
  if (levels.size === 0) return []
  const latest = latestApproved(db, campaignId, "all")
  // The closure goes as one JSON parameter: a national campaign has more pairs than a statement takes parameters.
  const { rows } = await sql<{ level: string; task: string; figure: string; sum: string; max: string; min: string }>`
    select closure.level, latest.task_key as task, f.figure_key as figure,
      sum(f.value)::text as sum, max(f.value)::text as max, min(f.value)::text as min
    from report_figures f
      join (${latest}) latest on latest.id = f.report_id
      join jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as closure(level text, unit text)
        on closure.unit = latest.unit_key
    group by closure.level, latest.task_key, f.figure_key`.execute(db)
  const found = new Map(rows.map((r) => [`${r.level}\u0000${r.task}\u0000${r.figure}`, r]))
  const figures = campaign.phases.flatMap((p) => p.tasks.flatMap((t) => t.figures.map((f) => ({ task: t.key, f }))))
  return campaign.units
    .filter((u) => levels.has(u.key))
    .map((u) => ({
      unit: u.key,
      totals: figures.flatMap(({ task, f }): FigureSum[] => {
        const row = found.get(`${u.key}\u0000${task}\u0000${f.key}`)
        return row === undefined ? [] : [{ task, figure: f.key, total: normalize(row[f.aggregate]) }]
      }),
    }))
}
