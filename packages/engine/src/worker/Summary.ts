/**
 * Writing the consolidated summary when the last phase closes: rendered from
 * the approved reports in every format, stored with its hash and the journal
 * position it reflects; the campaign machine is then told it was written
 * (`applyDue` applies the event this returns). The reports are loaded once;
 * each format is rendered, stored and let go before the next, so a national
 * summary holds one document at a time.
 */
import { createHash } from "node:crypto"
import { loadLevelTotals, loadSummaryModel, renderSummaryModel, type SummaryFormat } from "@liandong/report"
import type { MachineEvent } from "@liandong/workflow"
import { Effect, Schema } from "effect"
import { system } from "../Actor.ts"
import { query, type Tx } from "../Db.ts"
import type { LoadedCampaign } from "../Definitions.ts"
import type { Cause } from "../Step.ts"
import { journalHead } from "../sql/Journal.ts"
import { insertSummary, lastSummaryVersion } from "../sql/Summaries.ts"

/** A summary document could not be rendered: a defect of the report package or of the data it met. */
export class SummaryNotRendered extends Schema.TaggedError<SummaryNotRendered>()("SummaryNotRendered", {
  campaign: Schema.String,
  format: Schema.String,
  message: Schema.String,
  cause: Schema.Defect(),
}) {}

const render = (loaded: LoadedCampaign, model: Parameters<typeof renderSummaryModel>[0], format: SummaryFormat) =>
  Effect.tryPromise({
    try: async () => renderSummaryModel(model, loaded.definition, format),
    catch: (cause) =>
      new SummaryNotRendered({
        campaign: loaded.row.id,
        format,
        message: `the ${format} summary of ${loaded.row.id} could not be rendered: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      }),
  })

/**
 * Renders and stores the campaign's summary; returns the event that tells the campaign
 * machine it was written, with its cause (the documents' hashes and totals, journaled).
 */
export const writeSummary = (tx: Tx, loaded: LoadedCampaign, at: string) =>
  Effect.gen(function* () {
    const campaignId = loaded.row.id
    const head = yield* query("summary.journalHead", (db) => journalHead(db, campaignId), tx)
    const version = ((yield* query("summary.lastVersion", (db) => lastSummaryVersion(db, campaignId), tx)) ?? 0) + 1
    const model = yield* query("summary.load", (db) => loadSummaryModel(db, campaignId, loaded.definition), tx)
    // Every format is stored with its hash (of the bytes) and the journal position; Word as base64.
    const store = (format: SummaryFormat) =>
      Effect.gen(function* () {
        const rendered = yield* render(loaded, model, format)
        // The hash of the UTF-8 bytes, and Word's base64, without another copy of the document.
        const hash = createHash("sha256")
        if (typeof rendered === "string") hash.update(rendered, "utf8")
        else hash.update(rendered)
        const content =
          typeof rendered === "string"
            ? rendered
            : Buffer.from(rendered.buffer, rendered.byteOffset, rendered.byteLength).toString("base64")
        const digest = hash.digest("hex")
        const id = yield* query(
          "summary.store",
          (db) =>
            insertSummary(db, { campaignId, version, format, content, hash: digest, journalSeq: head.journal_seq }),
          tx,
        )
        return { id, digest }
      })
    const ids: string[] = []
    const documents: Record<string, string> = {}
    for (const format of ["md", "html", "docx"] as const) {
      const stored = yield* store(format)
      ids.push(stored.id)
      documents[format] = stored.digest
    }
    const summary = ids[0] as string
    // The totals the summary states, and every level's roll-up, go into the chain with the
    // documents' hashes: an auditor recomputes them from the journaled reports.
    const levels = yield* query("summary.levels", (db) => loadLevelTotals(db, campaignId, loaded.definition), tx)
    const event: MachineEvent = { type: "summary.written", summary, at }
    const cause: Cause = {
      actor: system,
      cause: `summary:${summary}`,
      content: {
        summary: {
          version,
          journalSeq: head.journal_seq,
          documents,
          totals: model.totals.map((t) => ({ task: t.task, figure: t.figure, total: t.exact })),
          levels,
        },
      },
    }
    return { summary, version, event, cause }
  })
