/**
 * The journal: one row per accepted event, hash-chained per campaign. A transaction
 * queues its entries in its buffer (`Tx.journal`) and writes them together at its end
 * under the campaign row's lock, so the chain never forks however many API and worker processes write at
 * once; the lock is taken last in every transaction and held only until commit.
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { type Actor, actorRole, actorUnit } from "./Actor.ts"
import { flushSteps, query, queryBesideSteps, stepsPending, type Tx, takeSteps, transaction } from "./Db.ts"
import { markWritten, type PendingRow, pendingRows, queueRow } from "./JournalBuffer.ts"
import type { JournalContent } from "./JournalContent.ts"
import { hashedFields } from "./JournalHash.ts"
import { type AnswerAtHead, appendJournalRows, journalHead } from "./sql/Journal.ts"

/** What the journal records about one accepted event. */
export interface JournalEntry {
  readonly campaignId: string
  readonly machineId: string
  readonly unit: string | null
  readonly actor: Actor
  /** `command`, `timer:<id>`, `message:<id>` or `deploy` */
  readonly cause: string
  readonly idempotencyKey: string | null
  readonly event: { readonly type: string; readonly [field: string]: unknown }
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

/** Queues an entry at the head of its campaign's chain; it is written when the transaction writes its journal. */
export const appendJournal = (tx: Tx, entry: JournalEntry) =>
  Effect.sync(() => {
    queueRow(tx.journal, fieldsOf(entry))
  })

/**
 * The canonical text of a row whose sequence number and recording time are not known yet:
 * the three pieces around them, so the database can put them in under the head's lock.
 */
const canonicalAround = (fields: PendingRow) => {
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
 * each other's heads) one call of `journal_append` locks the head, hashes each row on the
 * one before, recorded at the database's time, and moves the head. The head's lock is held
 * from then until commit. `answers` of a campaign with rows queued are stored by its last
 * append. `last`: nothing but the commit follows, which then goes with the last append, in
 * its round trip. Returns each campaign's head sequence number afterwards.
 */
export const flushJournal = (tx: Tx, answers?: ReadonlyMap<string, ReadonlyArray<AnswerAtHead>>, last = false) =>
  Effect.gen(function* () {
    const heads = new Map<string, number>()
    const entries = pendingRows(tx.journal)
    if (entries.length === 0) {
      yield* flushSteps(tx)
      return heads
    }
    // The pending machine steps go with the first append, in its statement; but a campaign's
    // status, which the append's move of the head would update a second time in that statement.
    if (tx.steps.rows.campaigns.length > 0) yield* flushSteps(tx)
    let steps: ReturnType<typeof takeSteps> | undefined = stepsPending(tx) ? takeSteps(tx) : undefined
    const byCampaign = new Map<string, PendingRow[]>()
    for (const fields of entries) {
      const list = byCampaign.get(fields.campaign_id)
      if (list === undefined) byCampaign.set(fields.campaign_id, [fields])
      else list.push(fields)
    }
    const campaigns = [...byCampaign.keys()].sort()
    for (const campaignId of campaigns) {
      const list = byCampaign.get(campaignId) ?? []
      for (let from = 0; from < list.length; from += 1000) {
        const rows = list.slice(from, from + 1000).map((fields) => ({ ...fields, ...canonicalAround(fields) }))
        const final = from + 1000 >= list.length
        const stored = final ? answers?.get(campaignId) : undefined
        const commits = last && final && campaignId === campaigns[campaigns.length - 1]
        const withSteps = steps
        steps = undefined
        const appended = yield* queryBesideSteps(
          "journal.append",
          (db) => appendJournalRows(db, campaignId, rows, stored, commits, withSteps?.rows),
          tx,
        )
        if (appended === undefined) return yield* Effect.die(new Error(`journal: campaign ${campaignId} not appended`))
        heads.set(campaignId, appended.seq)
      }
    }
    markWritten(tx.journal)
    return heads
  })

/** Writes the queued entries now and returns the sequence number of the campaign's last row: what a command reports. */
export const journalPosition = (tx: Tx, campaignId: string) =>
  Effect.gen(function* () {
    const written = (yield* flushJournal(tx)).get(campaignId)
    if (written !== undefined) return written
    // Written earlier in the transaction (a checkpoint writes what is queued): the head says.
    return (yield* query("journal.position", (db) => journalHead(db, campaignId), tx)).journal_seq
  })

/**
 * Runs `body` in a transaction (`Db.transaction`) whose queued journal entries are written just
 * before it commits, the commit going with the last append.
 */
export const journaled = <A, E, R>(operation: string, body: (tx: Tx) => Effect.Effect<A, E, R>) =>
  transaction(operation, (tx) => Effect.tap(body(tx), () => flushJournal(tx, undefined, true)))
