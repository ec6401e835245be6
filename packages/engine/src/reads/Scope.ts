/**
 * What an actor may read, as the reads need it: a campaign it may see (or
 * not found), and per visible campaign the units whose rows it may read.
 */
import type { Campaign } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { canSeeCampaign, readableUnits } from "../Authz.ts"
import { query } from "../Db.ts"
import { loadCampaign } from "../Definitions.ts"
import { NotFound } from "../Errors.ts"
import { selectCampaignIds } from "../sql/ReadCampaigns.ts"
import type { ReadScope } from "../sql/ReadTasks.ts"

/** Loads a campaign the actor may see, or fails as not found. */
export const visibleCampaign = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* loadCampaign(campaignId)
    if (!canSeeCampaign(actor, loaded.definition)) return yield* new NotFound({ what: "campaign", ref: campaignId })
    return loaded
  })

/** Per visible campaign (or only `only`), its definition and the units the actor may read there. */
export const readableByCampaign = (actor: Actor, only?: string) =>
  Effect.gen(function* () {
    const ids = yield* query("scope.campaigns", (db) => selectCampaignIds(db, only))
    const out = new Map<string, { definition: Campaign; readable: "all" | ReadonlySet<string> }>()
    for (const { id } of ids) {
      const { definition } = yield* loadCampaign(id)
      const readable = readableUnits(actor, definition)
      if (readable === "all" || readable.size > 0) out.set(id, { definition, readable })
    }
    return out
  })

/** The scope a listing's SQL filters by: per campaign, all units or the readable ones. */
export const scopeOf = (scopes: ReadonlyMap<string, { readonly readable: "all" | ReadonlySet<string> }>): ReadScope =>
  new Map([...scopes].map(([id, { readable }]) => [id, readable] as const))
