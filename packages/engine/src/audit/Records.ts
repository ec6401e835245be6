/**
 * What verification reads and reports, as plain data: a journal row as exported, a key of
 * the ring, a finding. Shared by the chain, checkpoint, replay and content checks.
 */
import type { HashedFields } from "../JournalHash.ts"

/** A journal row as exported: its hashed fields (`content` among them), then its chain links. */
export interface JournalRecord extends HashedFields {
  readonly prev_hash: string | null
  readonly hash: string
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
