/**
 * Writing the consolidated summary when the last phase closes: rendered from
 * the approved reports, stored with its hash and the journal position it
 * reflects, then the campaign machine is told it was written.
 */
import { renderSummary } from "@liandong/report"
import type { Database } from "@liandong/store"
import { sha256Hex } from "@liandong/workflow"
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
    const content = yield* query(
      "summary.render",
      (db) => renderSummary(db, campaignId, loaded.definition, { format: "md" }),
      tx,
    )
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
    const stored = yield* query(
      "summary.store",
      (db) =>
        db
          .insertInto("summaries")
          .values({
            campaign_id: campaignId,
            version,
            format: "md",
            content,
            hash: sha256Hex(content),
            journal_seq: head.journal_seq,
          })
          .returning("id")
          .executeTakeFirstOrThrow(),
      tx,
    )
    yield* applyToMachine(
      tx,
      loaded,
      machine,
      { type: "summary.written", summary: String(stored.id), at } as { type: string; at: string },
      {
        actor: system,
        cause: `summary:${stored.id}`,
      },
    )
    return { summary: String(stored.id), version }
  })
