/**
 * Checkpoints: signed statements that a campaign's journal had `seq` rows
 * ending in `head`. Written in the transaction that moves the campaign to a
 * new phase or closes it, and on demand. Held outside the database (exported),
 * they expose any later rewrite of the journal, even by a superuser.
 */
import { Effect } from "effect"
import { query, type Tx } from "../Db.ts"
import { flushJournal } from "../Journal.ts"
import { insertCheckpoint } from "../sql/Checkpoints.ts"
import { journalHead } from "../sql/Journal.ts"
import { type Checkpoint, type CheckpointClaim, claimText } from "./Claims.ts"
import { enrolKey } from "./KeyRing.ts"
import { Signer } from "./Signer.ts"

export {
  type Checkpoint,
  type CheckpointClaim,
  checkpointOf,
  checkpointSigned,
  claimText,
} from "./Claims.ts"

/** Signs and stores a checkpoint of the campaign's journal as it stands in this transaction. */
export const writeCheckpoint = (tx: Tx, campaignId: string, reason: "phase" | "close" | "demand", at: Date) =>
  Effect.gen(function* () {
    const signer = yield* Signer
    const key = signer.current()
    const signedAt = new Date()
    // A checkpoint is never signed with a key the ring does not list, or one already retired.
    yield* enrolKey(tx, key, signedAt)
    // What this transaction queued is part of the journal as it stands.
    yield* flushJournal(tx)
    const head = yield* query("checkpoint.head", (db) => journalHead(db, campaignId), tx)
    const claim: CheckpointClaim = {
      campaign: campaignId,
      seq: head.journal_seq,
      head: head.journal_head,
      reason,
      at: at.toISOString(),
      keyId: key.keyId,
      signedAt: signedAt.toISOString(),
    }
    const signature = key.sign(claimText(claim))
    yield* query(
      "checkpoint.insert",
      (db) =>
        insertCheckpoint(db, {
          campaignId,
          seq: claim.seq,
          head: claim.head,
          reason,
          occurredAt: at,
          keyId: claim.keyId,
          signedAt: signedAt.toISOString(),
          signature,
        }),
      tx,
    )
    return { ...claim, signature } satisfies Checkpoint
  })
