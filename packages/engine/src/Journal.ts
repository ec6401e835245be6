/**
 * The journal: one row per accepted event, hash-chained per campaign. Appends
 * take the campaign row's lock, so the chain never forks however many API and
 * worker processes write at once; the lock is taken last in every transaction
 * and held only until commit.
 */
import type { Database } from "@liandong/store"
import { canonicalJson, sha256Hex } from "@liandong/workflow"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import { sql } from "kysely"
import { type Actor, actorRole, actorUnit } from "./Actor.ts"
import { query } from "./Db.ts"

/** What the journal records about one accepted event. */
export interface JournalEntry {
  readonly campaignId: string
  readonly machineId: string
  readonly unit: string | null
  readonly actor: Actor
  /** `command`, `timer:<id>`, `message:<id>` or `deploy` */
  readonly cause: string
  readonly idempotencyKey: string | null
  readonly event: { readonly type: string }
  readonly before: unknown
  readonly after: unknown
  readonly occurredAt: Date
}

/**
 * The hashed form of a journal row: the canonical JSON (sorted keys, no white
 * space) of exactly these fields; `hash = sha256(prev_hash + "\n" + canonical)`.
 */
export const hashedFields = (row: {
  campaign_id: string
  seq: number
  machine_id: string
  unit_key: string | null
  actor: string
  role: string
  actor_unit: string | null
  cause: string
  idempotency_key: string | null
  event: string
  payload: unknown
  state_before: unknown
  state_after: unknown
  occurred_at: string
  recorded_at: string
}) => canonicalJson(row)

/** The hash of a journal row given the previous row's hash. */
export const rowHash = (prevHash: string | null, canonical: string): string =>
  sha256Hex(`${prevHash ?? ""}\n${canonical}`)

/** Appends an entry at the head of its campaign's chain; returns its sequence number. */
export const appendJournal = (tx: Transaction<Database>, entry: JournalEntry) =>
  Effect.gen(function* () {
    const head = yield* query(
      "journal.lockHead",
      (db) =>
        db
          .selectFrom("campaigns")
          .select(["journal_seq", "journal_head", sql<Date>`date_trunc('milliseconds', now())`.as("now")])
          .where("id", "=", entry.campaignId)
          // NO KEY UPDATE: every follow-up row's foreign key takes KEY SHARE on this row, which
          // FOR UPDATE would conflict with, deadlocking any two writers of the campaign.
          .forNoKeyUpdate()
          .executeTakeFirstOrThrow(),
      tx,
    )
    const seq = head.journal_seq + 1
    const fields = {
      campaign_id: entry.campaignId,
      seq,
      machine_id: entry.machineId,
      unit_key: entry.unit,
      actor: entry.actor.id,
      role: actorRole(entry.actor),
      actor_unit: actorUnit(entry.actor),
      cause: entry.cause,
      idempotency_key: entry.idempotencyKey,
      event: entry.event.type,
      payload: entry.event,
      state_before: entry.before ?? null,
      state_after: entry.after ?? null,
      occurred_at: entry.occurredAt.toISOString(),
      recorded_at: new Date(head.now).toISOString(),
    }
    const hash = rowHash(head.journal_head, hashedFields(fields))
    yield* query(
      "journal.append",
      (db) =>
        db
          .insertInto("journal")
          .values({
            ...fields,
            payload: JSON.stringify(fields.payload),
            state_before: JSON.stringify(fields.state_before),
            state_after: JSON.stringify(fields.state_after),
            prev_hash: head.journal_head,
            hash,
          })
          .execute(),
      tx,
    )
    yield* query(
      "journal.moveHead",
      (db) =>
        db
          .updateTable("campaigns")
          .set({ journal_seq: seq, journal_head: hash })
          .where("id", "=", entry.campaignId)
          .execute(),
      tx,
    )
    return seq
  })
