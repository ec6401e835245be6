/** Totals so far: each figure summed over the approved reports of the units the actor may read. */
import { loadTotals } from "@liandong/report"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { readableUnits } from "../Authz.ts"
import { query } from "../Db.ts"
import { visibleCampaign } from "./Scope.ts"

/** The campaign's figure totals from approved reports, with the figure definitions and each contribution. */
export const totalsFor = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const scope = readableUnits(actor, loaded.definition)
    const totals = yield* query("totals.load", (db) => loadTotals(db, campaignId, loaded.definition, scope))
    const tasks = loaded.definition.phases.flatMap((phase) => phase.tasks)
    return {
      campaign: campaignId,
      journalSeq: loaded.row.journal_seq,
      figures: totals.flatMap((total) => {
        const figure = tasks.find((t) => t.key === total.task)?.figures.find((f) => f.key === total.figure)
        if (figure === undefined) return []
        return [
          {
            task: total.task,
            figure: total.figure,
            label: { zh: figure.label.zh, en: figure.label.en ?? null },
            measure: figure.measure,
            kind: figure.kind,
            aggregate: figure.aggregate,
            total: total.total,
            contributions: total.contributions.map((c) => ({ ...c, journal: c.journal })),
          },
        ]
      }),
    }
  })
