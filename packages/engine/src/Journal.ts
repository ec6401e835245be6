/**
 * The journal: one row per accepted event, hash-chained per campaign. A transaction
 * queues its entries and writes them together at its end under the campaign row's
 * lock, so the chain never forks however many API and worker processes write at
 * once; the lock is taken last in every transaction and held only until commit.
 */
import { randomUUID } from "node:crypto"
import type { Database } from "@liandong/store"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import { sql } from "kysely"
import { type Actor, actorRole, actorUnit } from "./Actor.ts"
import { query } from "./Db.ts"
import type { JournalContent } from "./JournalContent.ts"
import { hashedFields } from "./JournalHash.ts"

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
  /** what the event is about, hashed with the row (see `JournalContent`) */
  readonly content?: JournalContent
}

/** The row an entry becomes, but for its place in the chain (sequence, time, hashes). */
const fieldsOf = (entry: JournalEntry) => ({
  campaign_id: entry.campaignId,
  machine_id: entry.machineId,
  unit_key: entry.unit,
  actor: entry.actor.id,
  role: actorRole(entry.actor),
  actor_unit: actorUnit(entry.actor),
  cause: entry.cause,
  idempotency_key: entry.idempotencyKey,
  event: entry.event.type,
  payload: entry.event as unknown,
  state_before: (entry.before ?? null) as unknown,
  state_after: (entry.after ?? null) as unknown,
  occurred_at: entry.occurredAt.toISOString(),
  content: (entry.content ?? null) as unknown,
})

type Fields = ReturnType<typeof fieldsOf>

/*
 * Entries wait in their transaction until it flushes them (at the latest just before it
 * commits): a transaction that applies many events takes each campaign's head once and
 * writes all their rows in one statement, instead of queueing at the head once an event.
 */
const buffers = new WeakMap<Transaction<Database>, { entries: Fields[]; written: number }>()

const bufferOf = (tx: Transaction<Database>) => {
  let buffer = buffers.get(tx)
  if (buffer === undefined) {
    buffer = { entries: [], written: 0 }
    buffers.set(tx, buffer)
  }
  return buffer
}

/** Queues an entry at the head of its campaign's chain; it is written when the transaction flushes its journal. */
export const appendJournal = (tx: Transaction<Database>, entry: JournalEntry) =>
  Effect.sync(() => {
    bufferOf(tx).entries.push(fieldsOf(entry))
  })

/** Where the transaction's journal stands: a savepoint's mark. */
export interface JournalMark {
  readonly queued: number
  readonly written: number
}

/** The mark to roll back to if the savepoint taken now is rolled back. */
export const journalMark = (tx: Transaction<Database>): JournalMark => {
  const buffer = bufferOf(tx)
  return { queued: buffer.entries.length, written: buffer.written }
}

/**
 * After a rollback to the savepoint of `mark`: the entries queued since are forgotten, and
 * those written since (the rollback undid their rows) are queued again.
 */
export const journalRollback = (tx: Transaction<Database>, mark: JournalMark): void => {
  const buffer = bufferOf(tx)
  buffer.entries.length = Math.min(buffer.entries.length, mark.queued)
  buffer.written = Math.min(buffer.written, mark.written)
}

/**
 * The canonical text of a row whose sequence number and recording time are not known yet:
 * the three pieces around them, so the database can put them in under the head's lock.
 */
const canonicalAround = (fields: Fields) => {
  const mark = randomUUID()
  const text = hashedFields({ ...fields, seq: `@@seq-${mark}@@` as unknown as number, recorded_at: `@@at-${mark}@@` })
  const [beforeAt, afterAt] = text.split(`@@at-${mark}@@`)
  const [beforeSeq, afterSeq] = (afterAt ?? "").split(`"@@seq-${mark}@@"`)
  if (beforeAt === undefined || afterAt === undefined || beforeSeq === undefined || afterSeq === undefined)
    throw new Error("journal: the canonical row has no place for its time and sequence")
  return { before_at: beforeAt, before_seq: beforeSeq, after_seq: afterSeq }
}

/**
 * Writes the queued entries: per campaign (in id order, so two transactions never wait on
 * each other's heads) one statement locks the head, then the rows are hashed here — each
 * on the one before, recorded at the database's time — and inserted with the head moved in
 * a second. The head's lock is held from then until commit. Returns each campaign's head
 * sequence number afterwards.
 */
export const flushJournal = (tx: Transaction<Database>) =>
  Effect.gen(function* () {
    const heads = new Map<string, number>()
    const buffer = bufferOf(tx)
    const entries = buffer.entries.slice(buffer.written)
    if (entries.length === 0) return heads
    const byCampaign = new Map<string, Fields[]>()
    for (const fields of entries) {
      const list = byCampaign.get(fields.campaign_id)
      if (list === undefined) byCampaign.set(fields.campaign_id, [fields])
      else list.push(fields)
    }
    for (const campaignId of [...byCampaign.keys()].sort()) {
      const list = byCampaign.get(campaignId) ?? []
      // The database locks the head, hashes each row on the one before and moves the head, in
      // one call (journal_append): the campaign-wide lock is held for it and the commit only.
      for (let from = 0; from < list.length; from += 1000) {
        const rows = list.slice(from, from + 1000).map((fields) => ({ ...fields, ...canonicalAround(fields) }))
        const appended = yield* query(
          "journal.append",
          (db) =>
            sql<{ seq: number }>`select journal_append(${campaignId}, ${JSON.stringify(rows)}::jsonb) as seq`.execute(
              db,
            ),
          tx,
        )
        const seq = appended.rows[0]?.seq
        if (seq === undefined) return yield* Effect.die(new Error(`journal: campaign ${campaignId} not appended`))
        heads.set(campaignId, seq)
      }
    }
    buffer.written = buffer.entries.length
    return heads
  })

/** Writes the queued entries now and returns the sequence number of the campaign's last row: what a command reports. */
export const journalPosition = (tx: Transaction<Database>, campaignId: string) =>
  Effect.gen(function* () {
    const written = (yield* flushJournal(tx)).get(campaignId)
    if (written !== undefined) return written
    // Written earlier in the transaction (a checkpoint writes what is queued): the head says.
    const row = yield* query(
      "journal.position",
      (db) => db.selectFrom("campaigns").select("journal_seq").where("id", "=", campaignId).executeTakeFirstOrThrow(),
      tx,
    )
    return row.journal_seq
  })
