/** Rendering a campaign's summary from the database, at any level of its hierarchy. */
import type { Database } from "@liandong/store"
import { type Campaign, unitAndSubordinates } from "@liandong/workflow"
import type { Kysely } from "kysely"
import { renderDocx } from "./Docx.ts"
import { renderHtml } from "./Html.ts"
import type { Language } from "./Language.ts"
import { renderMarkdown } from "./Markdown.ts"
import { buildSummaryModel, type SummaryModel } from "./Model.ts"
import { loadTimeliness } from "./Timeliness.ts"
import { loadApprovedReports, loadTotals, type Scope } from "./Totals.ts"

/** The formats a summary comes in. */
export type SummaryFormat = "md" | "html" | "docx"

/** Options for rendering. */
export interface RenderOptions {
  readonly format: SummaryFormat
  /** Marks the text as a draft (the campaign is still running). */
  readonly draft?: boolean
  /** Renders the summary of this unit and its subordinates only (a county's, a city's…). */
  readonly level?: string | undefined
  /** Chinese (the official text, default) or an English rendering. */
  readonly lang?: Language
}

/** Loads everything the summary says, for the whole campaign or one level of it. */
export const loadSummaryModel = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
  options: Omit<RenderOptions, "format"> = {},
): Promise<SummaryModel> => {
  const scope: Scope = options.level === undefined ? "all" : unitAndSubordinates(campaign, options.level)
  const [totals, reports, timeliness] = await Promise.all([
    loadTotals(db, campaignId, campaign, scope),
    loadApprovedReports(db, campaignId, scope),
    loadTimeliness(db, campaignId, campaign, scope),
  ])
  return buildSummaryModel(campaign, totals, reports, {
    draft: options.draft ?? false,
    level: options.level,
    timeliness,
    lang: options.lang ?? "zh",
  })
}

/** The date a Word file carries: the last approval it reflects, so the same data gives the same bytes. */
const stamp = (model: SummaryModel) => {
  if (model.reports.length === 0) return new Date(Date.UTC(2000, 0, 1))
  // A loop, not Math.max(...times): a national summary has more reports than a call may take arguments.
  let last = Number.NEGATIVE_INFINITY
  for (const r of model.reports) last = Math.max(last, r.approvedAt?.getTime() ?? 0)
  return new Date(last)
}

/** Renders a loaded summary model in one format (a campaign's summary in several formats loads it once). */
export const renderSummaryModel = (
  model: SummaryModel,
  campaign: Campaign,
  format: SummaryFormat,
): string | Promise<Uint8Array> => {
  switch (format) {
    case "md":
      return renderMarkdown(model, campaign.timeZone)
    case "html":
      return renderHtml(model, { timeZone: campaign.timeZone })
    case "docx":
      return renderDocx(model, stamp(model), { timeZone: campaign.timeZone })
  }
}

/** Renders the consolidated summary of a campaign from its approved reports. */
export const renderSummary = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
  options: RenderOptions = { format: "md" },
): Promise<string | Uint8Array> =>
  renderSummaryModel(await loadSummaryModel(db, campaignId, campaign, options), campaign, options.format)
