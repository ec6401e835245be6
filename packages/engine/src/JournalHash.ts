/**
 * How a journal row is hashed: pure, shared by the writer and every verifier.
 * `hash = sha256(prev_hash + "\n" + canonical JSON of the hashed fields)`.
 */
import { canonicalJson, sha256Hex } from "@liandong/workflow"

/** The fields of a journal row that its hash covers. */
export interface HashedFields {
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
  /** part of the hash when the row has any: rows written before content existed hash as they did */
  readonly content?: unknown
}

/** The canonical text of a row's hashed fields (sorted keys, no white space). */
export const hashedFields = (row: HashedFields): string => canonicalJson({ ...row, content: row.content ?? undefined })

/** The hash of a journal row given the previous row's hash. */
export const rowHash = (prevHash: string | null, canonical: string): string =>
  sha256Hex(`${prevHash ?? ""}\n${canonical}`)
