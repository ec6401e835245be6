/**
 * The consolidated summary on demand: the stored one once the campaign has
 * written it, otherwise a draft rendered from the reports approved so far.
 */
import { renderSummary } from "@liandong/report"
import { Effect } from "effect"
import type { Actor } from "./Actor.ts"
import { manages } from "./Authz.ts"
import { query } from "./Db.ts"
import { NotAllowed } from "./Errors.ts"
import { visibleCampaign } from "./Queries.ts"

/** The latest summary of a campaign (managers and auditors only). */
export const summaryFor = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    if (!manages(actor, loaded.definition) && !(actor.kind === "principal" && actor.role === "auditor")) {
      return yield* new NotAllowed({
        actor: actor.id,
        action: "summary",
        zh: "只有牵头单位和审计人员可以查看总结",
        en: "only the coordinator and auditors may read the summary",
      })
    }
    const stored = yield* query("summary.latest", (db) =>
      db
        .selectFrom("summaries")
        .select(["version", "content", "hash", "journal_seq", "created_at"])
        .where("campaign_id", "=", campaignId)
        .where("format", "=", "md")
        .orderBy("version", "desc")
        .limit(1)
        .executeTakeFirst(),
    )
    if (stored !== undefined) return { draft: false, ...stored }
    const content = yield* query("summary.draft", (db) =>
      renderSummary(db, campaignId, loaded.definition, { format: "md", draft: true }),
    )
    return { draft: true, version: 0, content, hash: null, journal_seq: loaded.row.journal_seq, created_at: null }
  })
