/**
 * Loads the definition a campaign pins and compiles it once per content hash:
 * machines are pure, so one compiled copy serves every transaction.
 */
import type { CampaignRow } from "@liandong/store"
import { type Campaign, type Compiled, compile } from "@liandong/workflow"
import { Effect } from "effect"
import { query, type Sql, type Tx } from "./Db.ts"
import { NotFound } from "./Errors.ts"
import { campaignWithHash, definitionBody } from "./sql/Definitions.ts"

/** A campaign row with its pinned definition compiled. */
export interface LoadedCampaign {
  readonly row: CampaignRow
  readonly definition: Campaign
  readonly hash: string
  readonly compiled: Compiled
}

const compiledByHash = new Map<string, Compiled>()

/** The compiled machines of a definition, built once per hash. */
export const compiledFor = (hash: string, definition: Campaign): Compiled => {
  let compiled = compiledByHash.get(hash)
  if (compiled === undefined) {
    compiled = compile(definition)
    compiledByHash.set(hash, compiled)
  }
  return compiled
}

const definitionsByHash = new Map<string, Campaign>()

/** Loads a campaign and its pinned, compiled definition; the definition body is read once per hash. */
export const loadCampaign = (campaignId: string, on?: Sql | Tx) =>
  Effect.gen(function* () {
    const found = yield* query("campaign.load", (db) => campaignWithHash(db, campaignId), on)
    if (found === undefined) return yield* new NotFound({ what: "campaign", ref: campaignId })
    const { hash, ...row } = found
    let definition = definitionsByHash.get(hash)
    if (definition === undefined) {
      definition = (yield* query("definition.load", (db) => definitionBody(db, campaignId, hash), on)) as Campaign
      definitionsByHash.set(hash, definition)
    }
    return { row, definition, hash, compiled: compiledFor(hash, definition) } satisfies LoadedCampaign
  })
