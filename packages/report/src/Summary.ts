/** Rendering a campaign's summary from the database. */
import type { Database } from "@liandong/store"
import type { Campaign } from "@liandong/workflow"
import type { Kysely } from "kysely"
import { renderMarkdown } from "./Markdown.ts"
import { buildSummaryModel } from "./Model.ts"
import { loadApprovedReports, loadTotals } from "./Totals.ts"

/** Options for rendering. */
export interface RenderOptions {
  readonly format: "md"
  /** Marks the text as a draft (the campaign is still running). */
  readonly draft?: boolean
}

/** Renders the consolidated summary of a campaign from its approved reports. */
export const renderSummary = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
  options: RenderOptions = { format: "md" },
): Promise<string> => {
  const [totals, reports] = await Promise.all([
    loadTotals(db, campaignId, campaign),
    loadApprovedReports(db, campaignId),
  ])
  return renderMarkdown(
    buildSummaryModel(campaign, totals, reports, { draft: options.draft ?? false }),
    campaign.timeZone,
  )
}
