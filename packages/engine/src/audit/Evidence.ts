/**
 * Gathering the evidence of a campaign — from the database, or from an export
 * directory — and writing an export: journal.jsonl (every row with its content),
 * checkpoints.json, keys.json (the ring: every key that signed, with its validity),
 * machines.json, definitions.json and the summary documents. Online verification
 * reads the journal page by page instead, so it never holds it whole, and checks
 * the stored reports and summaries against what the journal recorded.
 */
import { createHash } from "node:crypto"
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { JournalRow } from "@liandong/store"
import { type Campaign, canonicalDecimal, canonicalJson } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { manages } from "../Authz.ts"
import { query, transaction } from "../Db.ts"
import { InvalidInput, NotAllowed } from "../Errors.ts"
import { type AttachmentContent, storedReportContent, storedReviewContent } from "../JournalContent.ts"
import { visibleCampaign } from "../reads/Scope.ts"
import { selectCampaignContentHashes, selectContent, selectStoredAttachments } from "../sql/Attachments.ts"
import {
  readOneSnapshot,
  selectCampaignFigures,
  selectDefinitions,
  selectJournalLength,
  selectMachineHeads,
  selectMachineSnapshots,
  selectStoredReports,
  selectSummaryDocuments,
} from "../sql/Evidence.ts"
import { selectCheckpoints, selectJournalAfter, selectJournalContent } from "../sql/ReadRecord.ts"
import { selectFigures } from "../sql/ReadReports.ts"
import { type Checkpoint, checkpointOf } from "./Checkpoint.ts"
import { differences, type SummaryDocument } from "./ContentCheck.ts"
import { keyRing } from "./KeyRing.ts"
import { keyIdOf, publicKeyOf } from "./Signer.ts"
import {
  type Evidence,
  type JournalRecord,
  journalVerifier,
  type KeyRecord,
  type Premises,
  verdictOf,
} from "./Verify.ts"

/** A journal row as an exported record (times as ISO text). */
export const recordOf = (row: JournalRow): JournalRecord => ({
  campaign_id: row.campaign_id,
  seq: row.seq,
  machine_id: String(row.machine_id),
  unit_key: row.unit_key,
  actor: row.actor,
  role: row.role,
  actor_unit: row.actor_unit,
  cause: row.cause,
  idempotency_key: row.idempotency_key,
  event: row.event,
  payload: row.payload,
  state_before: row.state_before,
  state_after: row.state_after,
  occurred_at: new Date(row.occurred_at).toISOString(),
  recorded_at: new Date(row.recorded_at).toISOString(),
  prev_hash: row.prev_hash,
  hash: row.hash,
  ...(row.content === null || row.content === undefined ? {} : { content: row.content }),
})

/** What an auditor brings from outside the database: checkpoints kept elsewhere, keys received out of band. */
export interface Outside {
  readonly checkpoints?: ReadonlyArray<Checkpoint>
  /** the keys that signed those checkpoints, beside the ring's */
  readonly keys?: ReadonlyArray<KeyRecord>
  /** public keys by key id; when given, only these are believed */
  readonly trusted?: Readonly<Record<string, string>>
}

/** A stored summary document's bytes: Word is kept as base64. */
const documentBytes = (format: string, content: string): Buffer =>
  format === "docx" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8")

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Figure rows by report id. */
const groupFigures = (rows: ReadonlyArray<{ report_id: string; figure_key: string; value: string }>) => {
  const byReport = new Map<string, Array<{ figure_key: string; value: string }>>()
  for (const f of rows) {
    const list = byReport.get(String(f.report_id))
    if (list === undefined) byReport.set(String(f.report_id), [f])
    else list.push(f)
  }
  return byReport
}

/** The figures of a report as the database holds them, in canonical decimal text. */
const figuresOf = (rows: ReadonlyArray<{ figure_key: string; value: string }>) =>
  Object.fromEntries(rows.map((f) => [f.figure_key, canonicalDecimal(f.value) ?? f.value]))

/** A stored file as verification sees it: the hash and size of the bytes the database holds now. */
type StoredAttachment = Awaited<ReturnType<typeof selectStoredAttachments>>[number]

/** The files of each report as stored, hashes recomputed from the bytes (`missing` when the bytes are gone). */
const groupAttachments = (rows: ReadonlyArray<StoredAttachment>) => {
  const byReport = new Map<string, AttachmentContent[]>()
  for (const a of rows) {
    const file = { sha256: a.sha256 ?? "missing", name: a.name, type: a.type, size: Number(a.size ?? -1) }
    const list = byReport.get(String(a.report_id))
    if (list === undefined) byReport.set(String(a.report_id), [file])
    else list.push(file)
  }
  return byReport
}

/** What to say of a report's stored files that no longer hash to what their upload recorded. */
const alteredFiles = (rows: ReadonlyArray<StoredAttachment>, reportId: string): string[] =>
  rows
    .filter((a) => String(a.report_id) === reportId && a.sha256 !== a.recorded)
    .map((a) =>
      a.sha256 === null
        ? `attachments: "${a.name}" (${a.recorded.slice(0, 12)}) is gone from the database`
        : `attachments: "${a.name}" was altered (${a.recorded.slice(0, 12)} → ${a.sha256.slice(0, 12)})`,
    )

/** Fails unless the actor may audit the campaign: its coordinator, an auditor or the operator. */
export const requireAuditor = (actor: Actor, campaign: Campaign) =>
  manages(actor, campaign) || (actor.kind === "principal" && actor.role === "auditor")
    ? Effect.void
    : Effect.fail(
        new NotAllowed({
          actor: actor.id,
          action: "audit",
          zh: "只有审计人员和牵头单位可以核验和导出日志",
          en: "only auditors and the coordinator may verify or export the journal",
        }),
      )

/** The campaign's evidence as the database holds it. */
export const loadEvidence = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    yield* requireAuditor(actor, loaded.definition)
    const [rows, checkpoints, machines, definitions, ring, summaries] = yield* Effect.all([
      query("audit.journal", (db) => selectJournalAfter(db, campaignId, undefined)),
      query("audit.checkpoints", (db) => selectCheckpoints(db, campaignId)),
      query("audit.machines", (db) => selectMachineSnapshots(db, campaignId, undefined)),
      query("audit.definitions", (db) => selectDefinitions(db, campaignId)),
      keyRing(),
      query("audit.summaries", (db) => selectSummaryDocuments(db, campaignId)),
    ])
    const stored = yield* query("audit.reports", (db) => selectStoredReports(db, campaignId, undefined))
    const figures = yield* query("audit.figures", (db) => selectCampaignFigures(db, campaignId))
    const figuresByReport = groupFigures(figures)
    const storedFiles = yield* query("audit.attachments", (db) =>
      selectStoredAttachments(
        db,
        stored.map((r) => String(r.id)),
      ),
    )
    const attachmentsByReport = groupAttachments(storedFiles)
    const hashes = yield* query("audit.contentHashes", (db) => selectCampaignContentHashes(db, campaignId))
    const attachments: Array<{ sha256: string; bytes: Buffer }> = []
    for (const sha256 of hashes) {
      const bytes = yield* query("audit.content", (db) => selectContent(db, sha256))
      if (bytes !== undefined) attachments.push({ sha256, bytes })
    }
    const signed = checkpoints.map(checkpointOf)
    const files = summaries.map((d) => ({
      version: d.version,
      format: d.format,
      bytes: documentBytes(d.format, d.content),
    }))
    return {
      campaign: campaignId,
      rows: rows.map(recordOf),
      checkpoints: signed,
      // The whole ring (public keys only): checkpoints held elsewhere may name a key the database's no longer do.
      keys: ring,
      files,
      documents: files.map((f) => ({ version: f.version, format: f.format, sha256: sha256Of(f.bytes) })),
      reports: stored.map((r) => ({
        content: storedReportContent(
          r,
          figuresOf(figuresByReport.get(String(r.id)) ?? []),
          attachmentsByReport.get(String(r.id)),
        ),
        review: storedReviewContent(r),
      })),
      attachments,
      attachmentFiles: new Map(attachments.map((a) => [a.sha256, sha256Of(a.bytes)])),
      definitions: Object.fromEntries(definitions.map((d) => [d.hash, d.body as Campaign])),
      machines: machines.map((m) => ({
        id: m.id,
        kind: m.kind,
        unit: m.unit_key,
        definitionHash: m.machine_hash,
        snapshot: m.snapshot,
      })),
      claimedLength: loaded.row.journal_seq,
    } satisfies Evidence & {
      files: ReadonlyArray<{ version: number; format: string; bytes: Buffer }>
      attachments: ReadonlyArray<AttachmentFile>
    }
  })

/** Rows read at a time: enough to keep round trips few, few enough to keep memory flat. */
export interface PageSizes {
  readonly journal: number
  readonly machines: number
}

/**
 * Verifies a campaign as the database holds it, in one read-only snapshot: the
 * journal streams through the chain, checkpoint and replay checks a page at a
 * time (by seq), then the machines' stored snapshots a page at a time (by id).
 * `outside` replaces the stored checkpoints with ones kept elsewhere.
 */
export const verifyStored = (
  campaignId: string,
  actor: Actor,
  outside: Outside = {},
  pages: PageSizes = { journal: 1000, machines: 500 },
) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    yield* requireAuditor(actor, loaded.definition)
    return yield* transaction("audit.verify", (tx) =>
      Effect.gen(function* () {
        // Pages read later see the journal and the machines as the first one did.
        yield* query("audit.snapshot", readOneSnapshot, tx)
        const claimedLength = yield* query("audit.length", (db) => selectJournalLength(db, campaignId), tx)
        const stored = yield* query("audit.checkpoints", (db) => selectCheckpoints(db, campaignId), tx)
        const machines = yield* query("audit.machines", (db) => selectMachineHeads(db, campaignId), tx)
        const definitions = yield* query("audit.definitions", (db) => selectDefinitions(db, campaignId), tx)
        const ring = yield* keyRing(tx)
        const known = new Set(ring.map((k) => k.keyId))
        const premises: Premises = {
          campaign: campaignId,
          checkpoints: outside.checkpoints ?? stored.map(checkpointOf),
          keys: [...ring, ...(outside.keys ?? []).filter((k) => !known.has(k.keyId))],
          ...(outside.trusted === undefined ? {} : { trusted: outside.trusted }),
          definitions: Object.fromEntries(definitions.map((d) => [d.hash, d.body as Campaign])),
          machines: machines.map((m) => ({ id: m.id, kind: m.kind, unit: m.unit_key, definitionHash: m.machine_hash })),
          claimedLength,
        }
        const verifier = journalVerifier(premises)
        let seq: number | undefined
        for (;;) {
          const after = seq
          const page = yield* query(
            "audit.journal",
            (db) => selectJournalAfter(db, campaignId, after, pages.journal),
            tx,
          )
          for (const row of page) verifier.push(recordOf(row))
          if (page.length < pages.journal) break
          seq = page[page.length - 1]?.seq
        }
        const findings = [...verifier.end()]
        let id: string | undefined
        for (;;) {
          const after = id
          const page = yield* query(
            "audit.snapshots",
            (db) => selectMachineSnapshots(db, campaignId, after, pages.machines),
            tx,
          )
          for (const m of page)
            findings.push(
              ...verifier.settle({
                id: m.id,
                kind: m.kind,
                unit: m.unit_key,
                definitionHash: m.machine_hash,
                snapshot: m.snapshot,
              }),
            )
          if (page.length < pages.machines) break
          id = page[page.length - 1]?.id
        }
        // Every stored report against what the journal recorded of it, a page at a time.
        let reportId: string | undefined
        for (;;) {
          const after = reportId
          const page = yield* query(
            "audit.reports",
            (db) => selectStoredReports(db, campaignId, after, pages.machines),
            tx,
          )
          const figures = yield* query(
            "audit.figures",
            (db) =>
              selectFigures(
                db,
                page.map((r) => r.id),
              ),
            tx,
          )
          const figuresByReport = groupFigures(figures)
          const storedFiles = yield* query(
            "audit.attachments",
            (db) =>
              selectStoredAttachments(
                db,
                page.map((r) => String(r.id)),
              ),
            tx,
          )
          const attachmentsByReport = groupAttachments(storedFiles)
          for (const report of page) {
            const content = storedReportContent(
              report,
              figuresOf(figuresByReport.get(String(report.id)) ?? []),
              attachmentsByReport.get(String(report.id)),
            )
            const recorded = verifier.content.recorded(String(report.id), content)
            let details: ReadonlyArray<string> = []
            if (recorded !== undefined && !recorded.same) {
              // Name what changed: the journal row's content beside the stored one.
              const recordedContent = yield* query(
                "audit.recordedReport",
                (db) => selectJournalContent(db, campaignId, recorded.seq),
                tx,
              )
              const altered = alteredFiles(storedFiles, String(report.id))
              const recordedReport = (recordedContent as { report?: Record<string, unknown> } | null)?.report
              // A changed file is named by itself, not as the whole list of files.
              details =
                altered.length > 0
                  ? [
                      ...altered,
                      ...differences(
                        { ...recordedReport, attachments: undefined },
                        { ...content, attachments: undefined },
                      ),
                    ]
                  : differences(recordedReport, content)
            }
            findings.push(
              ...verifier.content.settleReport(String(report.id), content, storedReviewContent(report), () => details),
            )
          }
          if (page.length < pages.machines) break
          reportId = page[page.length - 1]?.id
        }
        findings.push(...verifier.content.missingReports())
        const documents = yield* query("audit.summaries", (db) => selectSummaryDocuments(db, campaignId), tx)
        findings.push(
          ...verifier.content.settleDocuments(
            documents.map((d) => ({
              version: d.version,
              format: d.format,
              sha256: sha256Of(documentBytes(d.format, d.content)),
            })),
            true,
          ),
        )
        return verdictOf(
          {
            rows: verifier.rows(),
            checkpoints: premises.checkpoints.length,
            machines: machines.length,
            uncovered: verifier.content.uncovered(),
          },
          findings,
        )
      }),
    )
  })

/** A summary document to export: its version, format and bytes. */
export interface SummaryFile {
  readonly version: number
  readonly format: string
  readonly bytes: Uint8Array
}

/** A report's file to export: its SHA-256 and bytes. */
export interface AttachmentFile {
  readonly sha256: string
  readonly bytes: Uint8Array
}

/**
 * Writes evidence to a directory an auditor can take away; the reports' files go to
 * `files/<sha256>` unless `hashesOnly` (the journal still holds every file's hash).
 */
export const writeExport = (
  dir: string,
  evidence: Evidence & {
    readonly files?: ReadonlyArray<SummaryFile>
    readonly attachments?: ReadonlyArray<AttachmentFile>
  },
  options: { readonly hashesOnly?: boolean } = {},
) =>
  Effect.promise(async () => {
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, "journal.jsonl"), evidence.rows.map((r) => `${canonicalJson(r)}\n`).join(""), "utf8")
    await writeFile(join(dir, "checkpoints.json"), `${JSON.stringify(evidence.checkpoints, null, 2)}\n`, "utf8")
    await writeFile(join(dir, "machines.json"), `${JSON.stringify(evidence.machines, null, 2)}\n`, "utf8")
    await writeFile(join(dir, "definitions.json"), `${JSON.stringify(evidence.definitions, null, 2)}\n`, "utf8")
    await writeFile(join(dir, "keys.json"), `${JSON.stringify(evidence.keys, null, 2)}\n`, "utf8")
    for (const key of evidence.keys) await writeFile(join(dir, `public-key-${key.keyId}.pem`), key.publicKey, "utf8")
    if ((evidence.files ?? []).length > 0) {
      await mkdir(join(dir, "summaries"), { recursive: true })
      for (const file of evidence.files ?? [])
        await writeFile(join(dir, "summaries", `v${file.version}.${file.format}`), file.bytes)
    }
    const attachments = options.hashesOnly === true ? [] : (evidence.attachments ?? [])
    if (attachments.length > 0) {
      await mkdir(join(dir, "files"), { recursive: true })
      for (const file of attachments) await writeFile(join(dir, "files", file.sha256), file.bytes)
    }
    await writeFile(
      join(dir, "manifest.json"),
      `${JSON.stringify(
        {
          campaign: evidence.campaign,
          rows: evidence.rows.length,
          checkpoints: evidence.checkpoints.length,
          keys: evidence.keys.map((k) => k.keyId),
          summaries: (evidence.files ?? []).map((f) => `v${f.version}.${f.format}`),
          // "included": files/ holds every report's file; "hashes": only the journal's hashes.
          attachments: options.hashesOnly === true ? "hashes" : "included",
          exportedAt: new Date().toISOString(),
        },
        null,
        2,
      )}\n`,
      "utf8",
    )
  })

const unreadable = (path: string, error: unknown) =>
  new InvalidInput({
    problems: [{ path, zh: `无法读取导出文件:${String(error)}`, en: `cannot read the export: ${String(error)}` }],
  })

const readJson = (path: string) =>
  Effect.tryPromise({
    try: async () => JSON.parse(await readFile(path, "utf8")) as unknown,
    catch: (error) => unreadable(path, error),
  })

/** The ring as exported; an export older than the ring holds `{ keyId: pem }`, valid for all time. */
const ringOf = (keys: unknown): KeyRecord[] =>
  Array.isArray(keys)
    ? (keys as KeyRecord[])
    : Object.entries((keys ?? {}) as Record<string, string>).map(([keyId, publicKey]) => ({
        keyId,
        publicKey,
        validFrom: new Date(0).toISOString(),
        validUntil: null,
      }))

/** The summary documents in an export, each with the hash of its bytes. */
const readDocuments = (dir: string) =>
  Effect.tryPromise({
    try: async () => {
      const names = await readdir(join(dir, "summaries")).catch(() => [] as string[])
      const documents: SummaryDocument[] = []
      for (const name of names.sort()) {
        const match = /^v(\d+)\.(\w+)$/.exec(name)
        if (match === null) continue
        documents.push({
          version: Number(match[1]),
          format: match[2] as string,
          sha256: sha256Of(await readFile(join(dir, "summaries", name))),
        })
      }
      return documents
    },
    catch: (error) => unreadable(join(dir, "summaries"), error),
  })

/**
 * The reports' files in an export, each name (the hash it was exported under) with the hash
 * of its bytes; undefined when the export holds hashes only (or predates files).
 */
const readAttachmentFiles = (dir: string, manifest: { readonly attachments?: string }) =>
  Effect.tryPromise({
    try: async () => {
      if (manifest.attachments !== "included") return undefined
      const names = await readdir(join(dir, "files")).catch(() => [] as string[])
      const files = new Map<string, string>()
      for (const name of names.sort())
        if (/^[0-9a-f]{64}$/.test(name)) files.set(name, sha256Of(await readFile(join(dir, "files", name))))
      return files
    },
    catch: (error) => unreadable(join(dir, "files"), error),
  })

/** Reads an export directory back; `checkpoints` may name checkpoints kept elsewhere, to check against instead. */
export const readExport = (dir: string, checkpointsFile?: string) =>
  Effect.gen(function* () {
    const manifest = (yield* readJson(join(dir, "manifest.json"))) as { campaign: string; attachments?: string }
    const text = yield* Effect.tryPromise({
      try: () => readFile(join(dir, "journal.jsonl"), "utf8"),
      catch: (error) =>
        new InvalidInput({
          problems: [
            { path: dir, zh: `无法读取日志:${String(error)}`, en: `cannot read the journal: ${String(error)}` },
          ],
        }),
    })
    const rows = text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as JournalRecord)
    const attachmentFiles = yield* readAttachmentFiles(dir, manifest)
    return {
      campaign: manifest.campaign,
      rows,
      checkpoints: (yield* readJson(checkpointsFile ?? join(dir, "checkpoints.json"))) as Evidence["checkpoints"],
      keys: ringOf(yield* readJson(join(dir, "keys.json"))),
      definitions: (yield* readJson(join(dir, "definitions.json"))) as Evidence["definitions"],
      machines: (yield* readJson(join(dir, "machines.json"))) as Evidence["machines"],
      documents: yield* readDocuments(dir),
      ...(attachmentFiles === undefined ? {} : { attachmentFiles }),
    } satisfies Evidence
  })

/**
 * Public keys an auditor received out of band (PEM files), by key id: verification then
 * believes only checkpoints these keys signed, whatever the ring in the database or export says.
 */
export const readTrustedKeys = (paths: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const trusted: Record<string, string> = {}
    for (const path of paths) {
      const text = yield* Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: (e) => unreadable(path, e) })
      const pem = publicKeyOf(text)
      if (pem === undefined)
        return yield* new InvalidInput({
          problems: [{ path, zh: "不是有效的 Ed25519 公钥(PEM)", en: "not a valid Ed25519 public key (PEM)" }],
        })
      trusted[keyIdOf(pem)] = pem
    }
    return trusted
  })
