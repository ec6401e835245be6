/** Checkpoints: signed statements of a campaign journal's length and head. */
import type { Sql } from "../Db.ts"

/** A signed checkpoint to store. */
export interface SignedCheckpoint {
  readonly campaignId: string
  readonly seq: number
  readonly head: string | null
  readonly reason: "phase" | "close" | "demand"
  readonly occurredAt: Date
  readonly keyId: string
  readonly signedAt: string
  readonly signature: string
}

/** Stores a signed checkpoint. */
export const insertCheckpoint = (db: Sql, checkpoint: SignedCheckpoint) =>
  db
    .insertInto("checkpoints")
    .values({
      campaign_id: checkpoint.campaignId,
      seq: checkpoint.seq,
      head: checkpoint.head,
      reason: checkpoint.reason,
      occurred_at: checkpoint.occurredAt,
      key_id: checkpoint.keyId,
      signed_at: checkpoint.signedAt,
      signature: checkpoint.signature,
    })
    .execute()
