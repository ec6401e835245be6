/**
 * Loads the definition a campaign pins and compiles it once per content hash:
 * machines are pure, so one compiled copy serves every transaction.
 */
import type { CampaignRow } from "@liandong/store"
import { type Campaign, type Compiled, compile } from "@liandong/workflow"
import { Effect } from "effect"
import { query, type Sql } from "./Db.ts"
import { NotFound } from "./Errors.ts"

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
export const loadCampaign = (campaignId: string, sql?: Sql) =>
  Effect.gen(function* () {
    const found = yield* query(
      "campaign.load",
      (db) =>
        db
          .selectFrom("campaigns")
          .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
          .selectAll("campaigns")
          .select("definitions.hash")
          .where("campaigns.id", "=", campaignId)
          .executeTakeFirst(),
      sql,
    )
    if (found === undefined) return yield* new NotFound({ what: "campaign", ref: campaignId })
    const { hash, ...row } = found
    let definition = definitionsByHash.get(hash)
    if (definition === undefined) {
      const body = yield* query(
        "definition.load",
        (db) =>
          db
            .selectFrom("definitions")
            .select("body")
            .where("hash", "=", hash)
            .where("key", "=", campaignId)
            .executeTakeFirstOrThrow(),
        sql,
      )
      definition = body.body as Campaign
      definitionsByHash.set(hash, definition)
    }
    return { row, definition, hash, compiled: compiledFor(hash, definition) } satisfies LoadedCampaign
  })
