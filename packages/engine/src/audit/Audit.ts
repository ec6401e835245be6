/** The auditor's commands: verify online or from an export, export, checkpoint on demand. */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { requireManager } from "../Authz.ts"
import { Clock } from "../Clock.ts"
import { transaction } from "../Db.ts"
import { visibleCampaign } from "../reads/Scope.ts"
import { writeCheckpoint } from "./Checkpoint.ts"
import { journalDenial } from "./Denials.ts"
import { loadEvidence, type Outside, readExport, verifyStored, writeExport } from "./Evidence.ts"
import { verifyEvidence } from "./Verify.ts"

/**
 * Verifies a campaign in the database; `outside` replaces its checkpoints with ones kept
 * elsewhere and may pin the keys the auditor trusts.
 */
export const verifyCampaign = (campaignId: string, actor: Actor, outside?: Outside) =>
  verifyStored(campaignId, actor, outside)

/**
 * Verifies an export directory, with no database: `checkpointsFile` names checkpoints kept
 * elsewhere, `trusted` the public keys the auditor received out of band (by key id).
 */
export const verifyExport = (dir: string, checkpointsFile?: string, trusted?: Readonly<Record<string, string>>) =>
  Effect.map(readExport(dir, checkpointsFile), (evidence) =>
    verifyEvidence(trusted === undefined ? evidence : { ...evidence, trusted }),
  )

/** Exports a campaign's evidence to a directory: with the reports' files, or (`hashesOnly`) only their hashes. */
export const exportCampaign = (
  campaignId: string,
  actor: Actor,
  dir: string,
  options: { readonly hashesOnly?: boolean } = {},
) =>
  Effect.gen(function* () {
    const evidence = yield* loadEvidence(campaignId, actor)
    yield* writeExport(dir, evidence, options)
    return {
      dir,
      rows: evidence.rows.length,
      checkpoints: evidence.checkpoints.length,
      files: options.hashesOnly === true ? 0 : evidence.attachments.length,
    }
  })

/** Signs a checkpoint of the journal now (the coordinator or the operator). */
export const checkpointNow = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    yield* requireManager(actor, loaded.definition, "checkpoint").pipe(
      journalDenial(campaignId, actor, "checkpoint", campaignId),
    )
    const at = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    return yield* transaction("checkpoint", (tx) => writeCheckpoint(tx, campaignId, "demand", at))
  })
