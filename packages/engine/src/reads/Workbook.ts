/**
 * A campaign's workbook (统计表): the progress, the figures by unit and by level, and every
 * report, limited to the units the actor may read — read through the same permission-filtered
 * pages as the API's listings, so the workbook shows nothing a listing would not.
 */
import { renderWorkbook, type WorkbookReport, type WorkbookTask } from "@liandong/report"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { readableUnits } from "../Authz.ts"
import { query } from "../Db.ts"
import { selectPrincipalNames } from "../sql/Directory.ts"
import { maxLimit } from "./Page.ts"
import { pageReports } from "./Reports.ts"
import { visibleCampaign } from "./Scope.ts"
import { pageTasks } from "./Tasks.ts"

/** Every page of a listing, one after another. */
const allPages = <A, E, R>(
  page: (cursor: string | undefined) => Effect.Effect<{ items: ReadonlyArray<A>; nextCursor: string | null }, E, R>,
) =>
  Effect.gen(function* () {
    const items: A[] = []
    let cursor: string | undefined
    do {
      const next = yield* page(cursor)
      items.push(...next.items)
      cursor = next.nextCursor ?? undefined
    } while (cursor !== undefined)
    return items
  })

/** The campaign's workbook as .xlsx bytes, as the actor may read it. */
export const campaignWorkbook = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const campaign = loaded.definition
    const readable = readableUnits(actor, campaign)
    const units = new Set(campaign.units.map((u) => u.key).filter((key) => readable === "all" || readable.has(key)))
    const [tasks, reports] = yield* Effect.all([
      allPages((cursor) => pageTasks(actor, { campaign: campaignId }, { limit: maxLimit, cursor })),
      allPages((cursor) => pageReports(actor, { campaign: campaignId }, { limit: maxLimit, cursor })),
    ])
    const people = [...new Set(reports.flatMap((r) => [r.submittedBy, r.reviewedBy ?? []].flat()))]
    const names = new Map(
      (yield* query("workbook.names", (db) => selectPrincipalNames(db, people))).map((p) => [p.id, p.name]),
    )
    const named = (id: string) => names.get(id) ?? id
    return yield* Effect.promise(() =>
      renderWorkbook({
        campaign,
        units,
        tasks: tasks.map((t): WorkbookTask => ({ unit: t.unit, task: t.task, status: t.status, overdue: t.overdue })),
        reports: reports.map(
          (r): WorkbookReport => ({
            unit: r.unit,
            task: r.task,
            attempt: r.attempt,
            status: r.status,
            figures: r.figures,
            narrative: r.narrative,
            submittedBy: named(r.submittedBy),
            submittedAt: new Date(r.submittedAt),
            reviewedBy: r.reviewedBy === null ? null : named(r.reviewedBy),
            reviewedAt: r.reviewedAt === null ? null : new Date(r.reviewedAt),
            returnReason: r.returnReason,
          }),
        ),
      }),
    )
  })
