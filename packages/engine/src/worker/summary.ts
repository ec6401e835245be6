/**
 * Writing the consolidated summary when the last phase closes: rendered from
 * the approved reports in every format, stored with its hash and the journal
 * position it reflects, then the campaign machine is told it was written.
 */
import { createHash } from "node:crypto"
import { renderSummary } from "@liandong/report"
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
    // Every format is stored with its hash (of the bytes) and the journal position; Word as base64.
    const ids: string[] = []
    for (const format of ["md", "html", "docx"] as const) {
      const rendered = yield* query(
        "summary.render",
        (db) => renderSummary(db, campaignId, loaded.definition, { format }),
        tx,
      )
      const bytes = typeof rendered === "string" ? Buffer.from(rendered, "utf8") : Buffer.from(rendered)
      const stored = yield* query(
        "summary.store",
        (db) =>
          db
            .insertInto("summaries")
            .values({
              campaign_id: campaignId,
              version,
              format,
              content: typeof rendered === "string" ? rendered : bytes.toString("base64"),
              hash: createHash("sha256").update(bytes).digest("hex"),
              journal_seq: head.journal_seq,
            })
            .returning("id")
            .executeTakeFirstOrThrow(),
        tx,
      )
      ids.push(stored.id)
    }
    const summary = ids[0] as string
    yield* applyToMachine(
      tx,
      loaded,
      machine,
      { type: "summary.written", summary, at } as { type: string; at: string },
      { actor: system, cause: `summary:${summary}` },
    )
    return { summary, version }
  })
