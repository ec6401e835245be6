/**
 * Loads the definition a campaign pins and compiles it once per content hash:
 * machines are pure, so one compiled copy serves every transaction.
 */
import type { CampaignRow } from "@liandong/store"
import { type Campaign, type Compiled, compile } from "@liandong/workflow"
import { Effect } from "effect"
import { Db, query, type Sql, type Tx } from "./Db.ts"
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
    return yield* campaignFromRow(row, hash, on)
  })

/** A campaign from its row, read by the caller, and the hash of the definition it pins. */
export const campaignFromRow = (row: CampaignRow, hash: string, on?: Sql | Tx) =>
  Effect.gen(function* () {
    let definition = definitionsByHash.get(hash)
    if (definition === undefined) {
      definition = (yield* query("definition.load", (db) => definitionBody(db, row.id, hash), on)) as Campaign
      definitionsByHash.set(hash, definition)
    }
    return { row, definition, hash, compiled: compiledFor(hash, definition) } satisfies LoadedCampaign
  })

/*
 * Campaigns as the commands of this process last loaded them, per database handle. A command
 * on a unit's task uses only the campaign's id and pinned definition, which change only when
 * the campaign is changed; so the copy is checked where it matters, in the statement that
 * locks the command's machine (`lockMachineWithDue` says which definition the campaign pins
 * then), and the command runs again on a fresh copy when it differs. A refusal is never made
 * on a cached copy: the command looks again first.
 */
const forCommands = new WeakMap<object, Map<string, LoadedCampaign>>()

const commandCopies = Effect.map(Effect.service(Db), (db) => {
  const found = forCommands.get(db.kysely)
  if (found !== undefined) return found
  const made = new Map<string, LoadedCampaign>()
  forCommands.set(db.kysely, made)
  return made
})

/** A campaign for a command on one of its units' tasks: this process's copy when it has one (`cached`). */
export const loadCampaignForCommand = (campaignId: string) =>
  Effect.gen(function* () {
    const copies = yield* commandCopies
    const hit = copies.get(campaignId)
    if (hit !== undefined) return { loaded: hit, cached: true }
    const loaded = yield* loadCampaign(campaignId)
    copies.set(campaignId, loaded)
    return { loaded, cached: false }
  })

/** Forgets this process's copy of a campaign: the next command loads it afresh. */
export const forgetCampaignCopy = (campaignId: string) =>
  Effect.map(commandCopies, (copies) => {
    copies.delete(campaignId)
  })
