/**
 * The consolidated summary on demand: the stored one once the campaign has
 * written it, otherwise a draft rendered from the reports approved so far;
 * a level (a unit and its subordinates) is always rendered from its reports.
 */
import {
  type BriefOptions,
  briefHtml,
  briefMarkdown,
  type Language,
  loadBrief,
  renderBriefDocx,
  renderSummary,
  type SummaryFormat,
} from "@liandong/report"
import { unitOf } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "./Actor.ts"
import { manages } from "./Authz.ts"
import { journalDenial } from "./audit/Denials.ts"
import { query } from "./Db.ts"
import { NotAllowed, NotFound } from "./Errors.ts"
import { visibleCampaign } from "./reads/Scope.ts"
import { selectLatestSummary } from "./sql/SummaryReads.ts"

/** The summary of a campaign in a format, whole or for one level (coordinators and auditors only). */
export const summaryFor = (
  campaignId: string,
  actor: Actor,
  options: {
    format?: SummaryFormat
    level?: string | undefined
    lang?: Language
    /** the 活动总结 (default) or a 简报 issue, with its masthead */
    form?: "summary" | "brief"
    brief?: Pick<BriefOptions, "issue" | "name" | "office">
  } = {},
) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    if (!manages(actor, loaded.definition) && !(actor.kind === "principal" && actor.role === "auditor")) {
      return yield* new NotAllowed({
        actor: actor.id,
        action: "summary",
        zh: "只有牵头单位和审计人员可以查看总结",
        en: "only the coordinator and auditors may read the summary",
      }).pipe(Effect.fail, journalDenial(campaignId, actor, "summary", campaignId))
    }
    const format = options.format ?? "md"
    if (options.level !== undefined && unitOf(loaded.definition, options.level) === undefined) {
      return yield* new NotFound({ what: "unit", ref: options.level })
    }
    const lang = options.lang ?? "zh"
    if (options.form === "brief") {
      const brief = yield* query("summary.brief", (db) =>
        loadBrief(db, campaignId, loaded.definition, { ...options.brief, level: options.level, lang }),
      )
      const content =
        format === "docx"
          ? yield* Effect.promise(() => renderBriefDocx(brief))
          : format === "html"
            ? briefHtml(brief)
            : briefMarkdown(brief)
      const draft = loaded.row.status !== "closed"
      return { draft, format, version: 0, content, hash: null, journal_seq: loaded.row.journal_seq, created_at: null }
    }
    const stored =
      options.level === undefined && lang === "zh"
        ? yield* query("summary.latest", (db) => selectLatestSummary(db, campaignId, format))
        : undefined
    if (stored !== undefined) {
      const content = format === "docx" ? new Uint8Array(Buffer.from(stored.content, "base64")) : stored.content
      return { draft: false, format, ...stored, content }
    }
    const draft = loaded.row.status !== "closed"
    const content = yield* query("summary.render", (db) =>
      renderSummary(db, campaignId, loaded.definition, { format, draft, level: options.level, lang }),
    )
    return { draft, format, version: 0, content, hash: null, journal_seq: loaded.row.journal_seq, created_at: null }
  })
