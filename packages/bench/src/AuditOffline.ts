/**
 * Verifying a long journal offline: a hash-chained journal of `rows` rows
 * built the way the engine writes it, exported with three signed
 * checkpoints, then read back and verified with no database.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  claimText,
  hashedFields,
  type JournalRecord,
  readExport,
  rowHash,
  verifyEvidence,
  writeExport,
} from "@liandong/engine/audit"
import { Signer } from "@liandong/engine/runtime"
import { Effect } from "effect"

/** What the offline verification measured. */
export interface AuditOfflineFigures {
  readonly rows: number
  readonly buildSeconds: number
  readonly exportSeconds: number
  readonly verifySeconds: number
  readonly rowsPerSecond: number
  readonly ok: boolean
}

/** Builds, exports and verifies a journal of `rows` rows. */
export const auditOffline = (rows: number) =>
  Effect.gen(function* () {
    const signer = yield* Signer
    const campaign = "bench-week"
    const started = performance.now()
    const journal: JournalRecord[] = []
    let prev: string | null = null
    for (let seq = 1; seq <= rows; seq++) {
      const unit = `unit-${seq % 5000}`
      const at = new Date(Date.UTC(2026, 3, 13) + seq * 1000).toISOString()
      const fields = {
        campaign_id: campaign,
        seq,
        machine_id: String(1 + (seq % 5000)),
        unit_key: unit,
        actor: `${unit}.liaison`,
        role: "unit",
        actor_unit: unit,
        cause: "command",
        idempotency_key: null,
        event: "task.acknowledge",
        payload: { type: "task.acknowledge", task: "brochures", by: `${unit}.liaison`, at },
        state_before: "{publicity:open.brochures.assigned}",
        state_after: "{publicity:open.brochures.acknowledged}",
        occurred_at: at,
        recorded_at: at,
      }
      const hash = rowHash(prev, hashedFields(fields))
      journal.push({ ...fields, prev_hash: prev, hash })
      prev = hash
    }
    const built = performance.now()
    const key = signer.current()
    const checkpoints = [Math.ceil(rows / 4), Math.ceil(rows / 2), rows].map((seq) => {
      const claim = {
        campaign,
        seq,
        head: journal[seq - 1]?.hash ?? null,
        reason: "phase" as const,
        at: new Date().toISOString(),
        keyId: key.keyId,
      }
      return { ...claim, signature: key.sign(claimText(claim)) }
    })
    const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "liandong-bench-audit-")))
    yield* writeExport(dir, {
      campaign,
      rows: journal,
      checkpoints,
      keys: [{ keyId: key.keyId, publicKey: key.publicKeyPem, validFrom: new Date(0).toISOString(), validUntil: null }],
      definitions: {},
      machines: [],
    })
    const exported = performance.now()
    journal.length = 0
    const verdict = verifyEvidence(yield* readExport(dir))
    const verified = performance.now()
    yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
    return {
      rows,
      buildSeconds: Math.round(built - started) / 1000,
      exportSeconds: Math.round(exported - built) / 1000,
      verifySeconds: Math.round(verified - exported) / 1000,
      rowsPerSecond: Math.round(rows / ((verified - exported) / 1000)),
      ok: verdict.ok,
    } satisfies AuditOfflineFigures
  }).pipe(Effect.provide(Signer.ephemeral))
