/** @liandong/engine/audit — the record's proof: verify, export, checkpoints, keys, the trail. */

/** Verify online or from an export; export; sign a checkpoint now. */
export { checkpointNow, exportCampaign, verifyCampaign, verifyExport } from "../audit/Audit.ts"
/** A signed checkpoint, its claim and how it is checked. */
export { type Checkpoint, type CheckpointClaim, checkpointSigned, claimText } from "../audit/Checkpoint.ts"
/** Reading and writing an export; the keys an auditor trusts; what is brought from outside. */
export { type Outside, readExport, readTrustedKeys, recordOf, writeExport } from "../audit/Evidence.ts"
/** The signing key ring: list it, rotate the deployment's key. */
export { keyRing, listKeys, rotateKey } from "../audit/KeyRing.ts"
/** Ed25519 keys: ids, public halves, signature checks. */
export { keyIdOf, publicKeyOf, type SigningKey, verifySignature } from "../audit/Signer.ts"
/** Who did what, when; per-unit accountability. */
export { type Accountability, accountability, type TrailEntry, type TrailFilter, trail } from "../audit/Trail.ts"
/** The pure verifier and the evidence it reads. */
export {
  type Evidence,
  type Finding,
  isMachineEvent,
  type JournalRecord,
  type KeyRecord,
  type MachineRecord,
  type StoredReport,
  type Verdict,
  verifyEvidence,
} from "../audit/Verify.ts"
/** What a journal row carries and how it is hashed. */
export type { JournalContent, ReportContent, ReviewContent, SummaryContent } from "../JournalContent.ts"
export { hashedFields, rowHash } from "../JournalHash.ts"
