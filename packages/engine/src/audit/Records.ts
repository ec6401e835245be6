/**
 * What verification reads and reports, as plain data: a journal row as exported, a key of
 * the ring, a finding. Shared by the chain, checkpoint, replay and content checks.
 */

/** A journal row as exported: its hashed fields, then its chain links. */
export interface JournalRecord {
  readonly campaign_id: string
  readonly seq: number
  readonly machine_id: string
  readonly unit_key: string | null
  readonly actor: string
  readonly role: string
  readonly actor_unit: string | null
  readonly cause: string
  readonly idempotency_key: string | null
  readonly event: string
  readonly payload: unknown
  readonly state_before: unknown
  readonly state_after: unknown
  readonly occurred_at: string
  readonly recorded_at: string
  readonly prev_hash: string | null
  readonly hash: string
  /** what the event is about (a report, a review, a summary), hashed with the row */
  readonly content?: unknown
}

/** A key of the ring as verification sees it: its public half and when it could sign. */
export interface KeyRecord {
  readonly keyId: string
  readonly publicKey: string
  readonly validFrom: string
  readonly validUntil: string | null
}

/** One thing found wrong, naming the row (seq) where it shows. */
export interface Finding {
  readonly seq: number | null
  readonly check: "chain" | "checkpoint" | "replay" | "content" | "summary"
  readonly zh: string
  readonly en: string
}
