/**
 * Benchmark: verifying a long journal offline. Builds a chained journal of N
 * rows (LIANDONG_BENCH_ROWS, default 100,000) the way the engine writes it,
 * exports it to a directory, then reads and verifies the export — chain and
 * signed checkpoints — and prints the figures as a table and as JSON.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { claimText } from "../src/audit/Checkpoint.ts"
import { readExport, writeExport } from "../src/audit/Evidence.ts"
import { Signer } from "../src/audit/Signer.ts"
import { type JournalRecord, verifyEvidence } from "../src/audit/Verify.ts"
import { hashedFields, rowHash } from "../src/Journal.ts"

const rows = Number(process.env.LIANDONG_BENCH_ROWS ?? 100_000)

const program = Effect.gen(function* () {
  const signer = yield* Signer
  const campaign = "bench-week"
  const started = performance.now()
  const journal: JournalRecord[] = []
  let prev: string | null = null
  for (let seq = 1; seq <= rows; seq++) {
    const at = new Date(Date.UTC(2026, 3, 13) + seq * 1000).toISOString()
    const fields = {
      campaign_id: campaign,
      seq,
      machine_id: String(1 + (seq % 5000)),
      unit_key: `unit-${seq % 5000}`,
      actor: `unit-${seq % 5000}.liaison`,
      role: "unit",
      actor_unit: `unit-${seq % 5000}`,
      cause: "command",
      idempotency_key: null,
      event: "task.acknowledge",
      payload: { type: "task.acknowledge", task: "brochures", by: `unit-${seq % 5000}.liaison`, at },
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
  const checkpoints = [rows / 4, rows / 2, rows].map((seq) => {
    const claim = {
      campaign,
      seq,
      head: journal[seq - 1]?.hash ?? null,
      reason: "phase" as const,
      at: new Date().toISOString(),
      keyId: signer.keyId,
    }
    return { ...claim, signature: signer.sign(claimText(claim)) }
  })
  const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "liandong-bench-")))
  yield* writeExport(dir, {
    campaign,
    rows: journal,
    checkpoints,
    keys: { [signer.keyId]: signer.publicKeyPem },
    definitions: {},
    machines: [],
  })
  const exported = performance.now()
  const evidence = yield* readExport(dir)
  const verdict = verifyEvidence(evidence)
  const verified = performance.now()
  yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
  if (!verdict.ok) return yield* Effect.die(new Error(`verification failed: ${verdict.findings[0]?.en}`))
  const figures = {
    rows,
    buildSeconds: (built - started) / 1000,
    exportSeconds: (exported - built) / 1000,
    verifyOfflineSeconds: (verified - exported) / 1000,
    rowsPerSecond: Math.round(rows / ((verified - exported) / 1000)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }
  console.log("audit: offline verification of an exported journal")
  console.log(`  rows                     ${figures.rows}`)
  console.log(`  build + hash             ${figures.buildSeconds.toFixed(2)} s`)
  console.log(`  export (write)           ${figures.exportSeconds.toFixed(2)} s`)
  console.log(
    `  read + verify (offline)  ${figures.verifyOfflineSeconds.toFixed(2)} s  (${figures.rowsPerSecond} rows/s)`,
  )
  console.log(`  peak RSS                 ${figures.peakRssMB} MB`)
  console.log(JSON.stringify({ benchmark: "audit.verifyOffline", ...figures }))
})

Effect.runPromise(Effect.provide(program, Layer.mergeAll(Signer.ephemeral)))
