/**
 * Writing the consolidated summary when the last phase closes: rendered from
 * the approved reports in every format, stored with its hash and the journal
 * position it reflects, then the campaign machine is told it was written.
 * The reports are loaded once; each format is rendered, stored and let go
 * before the next, so a national summary holds one document at a time.
 */
import { createHash } from "node:crypto"
import { loadLevelTotals, loadSummaryModel, renderSummaryModel, type SummaryFormat } from "@liandong/report"
import type { Database } from "@liandong/store"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import { system } from "../Actor.ts"
import { query } from "../Db.ts"
import type { LoadedCampaign } from "../Definitions.ts"
import { applyToMachine, lockMachine } from "../Step.ts"

/** Renders, stores and announces the campaign's summary. */
export const writeSummary = (tx: Transaction<Database>, loaded: LoadedCampaign, at: string) =>
  Effect.gen(function* () {
    const campaignId = loaded.row.id
    const machine = yield* lockMachine(tx, campaignId, null)
    const head = yield* query(
      "summary.journalHead",
      (db) => db.selectFrom("campaigns").select("journal_seq").where("id", "=", campaignId).executeTakeFirstOrThrow(),
      tx,
    )
    const previous = yield* query(
      "summary.lastVersion",
      (db) =>
        db
          .selectFrom("summaries")
          .select((eb) => eb.fn.max("version").as("version"))
          .where("campaign_id", "=", campaignId)
          .executeTakeFirst(),
      tx,
    )
    const version = Number(previous?.version ?? 0) + 1
    const model = yield* query("summary.load", (db) => loadSummaryModel(db, campaignId, loaded.definition), tx)
    // Every format is stored with its hash (of the bytes) and the journal position; Word as base64.
    const store = (format: SummaryFormat) =>
      Effect.gen(function* () {
        const rendered = yield* query(
          "summary.render",
          async () => renderSummaryModel(model, loaded.definition, format),
          tx,
        )
        // The hash of the UTF-8 bytes, and Word's base64, without another copy of the document.
        const hash = createHash("sha256")
        if (typeof rendered === "string") hash.update(rendered, "utf8")
        else hash.update(rendered)
        const content =
          typeof rendered === "string"
            ? rendered
            : Buffer.from(rendered.buffer, rendered.byteOffset, rendered.byteLength).toString("base64")
        const digest = hash.digest("hex")
        const stored = yield* query(
          "summary.store",
          (db) =>
            db
              .insertInto("summaries")
              .values({
                campaign_id: campaignId,
                version,
                format,
                content,
                hash: digest,
                journal_seq: head.journal_seq,
              })
              .returning("id")
              .executeTakeFirstOrThrow(),
          tx,
        )
        return { id: stored.id, digest }
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
    yield* applyToMachine(
      tx,
      loaded,
      machine,
      { type: "summary.written", summary, at } as { type: string; at: string },
      {
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
      },
    )
    return { summary, version }
  })
