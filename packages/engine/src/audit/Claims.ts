/**
 * Checkpoint claims and signatures, pure: what a checkpoint signs, the exact text, how a
 * signature and a key's fingerprint are checked. The writer (Checkpoint.ts, Signer.ts) and
 * the verifier share it; nothing here touches a database or a file.
 */
import { createPublicKey, verify } from "node:crypto"
import type { CheckpointRow } from "@liandong/store"
import { canonicalJson, sha256Hex } from "@liandong/workflow"

/** What a checkpoint signs. */
export interface CheckpointClaim {
  readonly campaign: string
  readonly seq: number
  readonly head: string | null
  readonly reason: "phase" | "close" | "demand"
  readonly at: string
  readonly keyId: string
  /** wall-clock time of signing, checked against the key's validity (absent on checkpoints before the key ring) */
  readonly signedAt?: string
}

/** The exact text signed: the canonical JSON of the claim. */
export const claimText = (claim: CheckpointClaim): string => canonicalJson(claim)

/** A checkpoint as exported and verified. */
export interface Checkpoint extends CheckpointClaim {
  readonly signature: string
}

/** A stored checkpoint row as an exported checkpoint. */
export const checkpointOf = (row: CheckpointRow): Checkpoint => ({
  campaign: row.campaign_id,
  seq: row.seq,
  head: row.head,
  reason: row.reason,
  at: new Date(row.occurred_at).toISOString(),
  keyId: row.key_id,
  ...(row.signed_at === null ? {} : { signedAt: new Date(row.signed_at).toISOString() }),
  signature: row.signature,
})

/** True when the checkpoint is signed by the key. */
export const checkpointSigned = (checkpoint: Checkpoint, publicKeyPem: string): boolean => {
  const { signature, ...claim } = checkpoint
  return verifySignature(publicKeyPem, claimText(claim), signature)
}

/** The fingerprint of a public key. */
export const keyIdOf = (publicKeyPem: string): string => sha256Hex(publicKeyPem.trim()).slice(0, 16)

/** True when `signature` is the key's signature of `text`. */
export const verifySignature = (publicKeyPem: string, text: string, signature: string): boolean => {
  try {
    return verify(null, Buffer.from(text, "utf8"), createPublicKey(publicKeyPem), Buffer.from(signature, "base64"))
  } catch {
    return false
  }
}

/** The public key in a PEM text (a public key, or the public half of a private one), normalized; undefined if none. */
export const publicKeyOf = (pem: string): string | undefined => {
  try {
    return createPublicKey(pem).export({ type: "spki", format: "pem" }).toString()
  } catch {
    return undefined
  }
}
