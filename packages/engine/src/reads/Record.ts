/**
 * The record as the API reads it: the journal in pages, the signed
 * checkpoints, the journal as JSON Lines, and the verification verdict with
 * the key it checked against. Only auditors and the coordinator may read the
 * evidence; a refusal is journaled.
 */
import { canonicalJson } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { verifyCampaign } from "../audit/Audit.ts"
import { checkpointOf } from "../audit/Checkpoint.ts"
import { journalDenial } from "../audit/Denials.ts"
import { recordOf, requireAuditor } from "../audit/Evidence.ts"
import { keyRing } from "../audit/KeyRing.ts"
import { type TrailFilter, trail } from "../audit/Trail.ts"
import { query } from "../Db.ts"
import { selectCheckpoints, selectJournalAfter } from "../sql/ReadRecord.ts"
import { badCursor, decodeCursor, encodeCursor, limitOf, type PageRequest } from "./Page.ts"
import { visibleCampaign } from "./Scope.ts"

/** A page of the journal as a trail, filtered, in order of seq. */
export const pageJournal = (
  campaignId: string,
  actor: Actor,
  filter: Omit<TrailFilter, "afterSeq" | "limit">,
  page: PageRequest,
) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const after = yield* decodeCursor(page.cursor, 1)
    const afterSeq = after === undefined ? undefined : Number(after[0])
    if (afterSeq !== undefined && !Number.isSafeInteger(afterSeq)) return yield* badCursor()
    const entries = yield* trail(campaignId, actor, { ...filter, afterSeq, limit: limit + 1 })
    const items = entries.slice(0, limit)
    const last = items[items.length - 1]
    return { items, nextCursor: entries.length > limit && last !== undefined ? encodeCursor([last.seq]) : null }
  })

/** Loads a campaign the actor may see and fails (journaled) unless it may audit it. */
const auditable = (campaignId: string, actor: Actor, action: string) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    yield* requireAuditor(actor, loaded.definition).pipe(journalDenial(campaignId, actor, action, campaignId))
    return loaded
  })

/** The campaign's signed checkpoints, oldest first. */
export const listCheckpoints = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    yield* auditable(campaignId, actor, "audit.checkpoints")
    const rows = yield* query("audit.checkpoints", (db) => selectCheckpoints(db, campaignId))
    return rows.map(checkpointOf)
  })

/** The journal as JSON Lines, byte for byte the `journal.jsonl` of an export. */
export const journalLines = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    yield* auditable(campaignId, actor, "audit.export")
    const rows = yield* query("audit.journal", (db) => selectJournalAfter(db, campaignId, undefined))
    return rows.map((row) => `${canonicalJson(recordOf(row))}\n`).join("")
  })

/** Verifies chain, checkpoints, content and replay; names the keys of the ring the checkpoints were checked against. */
export const verification = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    yield* auditable(campaignId, actor, "audit.verify")
    const verdict = yield* verifyCampaign(campaignId, actor)
    const keys = yield* keyRing()
    return { campaign: campaignId, ...verdict, keys }
  })
