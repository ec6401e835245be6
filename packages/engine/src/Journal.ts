/**
 * The journal: one row per accepted event, hash-chained per campaign. Appends
 * take the campaign row's lock, so the chain never forks however many API and
 * worker processes write at once; the lock is taken last in every transaction
 * and held only until commit.
 */
import { randomUUID } from "node:crypto"
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

/**
 * The canonical text of a row whose sequence number and recording time are not known yet:
 * the three pieces around them, so the database can put them in under the head's lock.
 */
const canonicalAround = (fields: Omit<Parameters<typeof hashedFields>[0], "seq" | "recorded_at">) => {
  const mark = randomUUID()
  const text = hashedFields({ ...fields, seq: `@@seq-${mark}@@` as unknown as number, recorded_at: `@@at-${mark}@@` })
  const [beforeAt, afterAt] = text.split(`@@at-${mark}@@`)
  const [beforeSeq, afterSeq] = (afterAt ?? "").split(`"@@seq-${mark}@@"`)
  if (beforeAt === undefined || afterAt === undefined || beforeSeq === undefined || afterSeq === undefined)
    throw new Error("journal: the canonical row has no place for its time and sequence")
  return [beforeAt, beforeSeq, afterSeq] as const
}

/**
 * Appends an entry at the head of its campaign's chain; returns its sequence number.
 * One statement locks the head; a second hashes the row (the same text `hashedFields` gives,
 * its time and sequence filled in by the database), inserts it and moves the head: the
 * campaign-wide lock is held for these two round trips and the commit.
 */
export const appendJournal = (tx: Transaction<Database>, entry: JournalEntry) =>
  Effect.gen(function* () {
    const fields = {
      campaign_id: entry.campaignId,
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
    }
    const [beforeAt, beforeSeq, afterSeq] = canonicalAround(fields)
    // The lock comes first, in a statement of its own. Taken inside the appending statement, it
    // would wait for the previous writer and then lock the head's newest version while that
    // statement's own update still saw the version before: updating it, the statement queued
    // behind the next writer, who was waiting for it — a deadlock. NO KEY UPDATE: every
    // follow-up row's foreign key takes KEY SHARE on the campaign row, which FOR UPDATE would
    // conflict with, deadlocking any two writers of the campaign.
    yield* query(
      "journal.lockHead",
      (db) => db.selectFrom("campaigns").select("id").where("id", "=", entry.campaignId).forNoKeyUpdate().execute(),
      tx,
    )
    const appended = yield* query(
      "journal.append",
      (db) =>
        sql<{ seq: number }>`
          with head as (
            select journal_seq + 1 as seq, journal_head as prev,
              to_char(date_trunc('milliseconds', now()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as recorded
            from campaigns where id = ${entry.campaignId}::text
          ), hashed as (
            select seq, prev, recorded, encode(sha256(convert_to(
              coalesce(prev, '') || chr(10) || ${beforeAt}::text || recorded || ${beforeSeq}::text || seq::text
                || ${afterSeq}::text,
              'UTF8')), 'hex') as hash
            from head
          ), appended as (
            insert into journal (campaign_id, seq, machine_id, unit_key, actor, role, actor_unit, cause,
              idempotency_key, event, payload, state_before, state_after, occurred_at, recorded_at, prev_hash, hash)
            select ${fields.campaign_id}::text, seq, ${fields.machine_id}::bigint, ${fields.unit_key}::text,
              ${fields.actor}::text, ${fields.role}::text, ${fields.actor_unit}::text, ${fields.cause}::text,
              ${fields.idempotency_key}::text, ${fields.event}::text,
              ${JSON.stringify(fields.payload)}::jsonb, ${JSON.stringify(fields.state_before)}::jsonb,
              ${JSON.stringify(fields.state_after)}::jsonb, ${fields.occurred_at}::timestamptz, recorded::timestamptz,
              prev, hash
            from hashed
            returning seq, hash
          )
          update campaigns set journal_seq = appended.seq, journal_head = appended.hash
          from appended where campaigns.id = ${entry.campaignId}
          returning appended.seq`.execute(db),
      tx,
    )
    const seq = appended.rows[0]?.seq
    if (seq === undefined) return yield* Effect.die(new Error(`journal: campaign ${entry.campaignId} not found`))
    return seq
  })
