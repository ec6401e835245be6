/**
 * The journal's statements: appending rows under the campaign head's lock (the database
 * function `journal_append` hashes each on the one before), and reading the head.
 */
import { sql } from "kysely"
import { commitsWith, type Sql } from "../Db.ts"
import { type StepRows, stepCounts, stepWrites } from "./Machines.ts"

/** A row for `journal_append`: its fields and the canonical text around its sequence number and time. */
export interface AppendRow {
  readonly campaign_id: string
  readonly before_at: string
  readonly before_seq: string
  readonly after_seq: string
  readonly [field: string]: unknown
}

/**
 * A command's answer stored with its idempotency key by the append that writes its rows: its
 * `journal` field is set to its position, `after` rows before the head the append leaves.
 */
export interface AnswerAtHead {
  readonly principal_id: string
  readonly idempotency_key: string
  readonly result: unknown
  readonly after: number
}

/**
 * Appends rows to the campaign's chain in one call; the head's sequence number afterwards. With
 * `answers`, the same statement stores each command's answer with its key (the keys come as
 * arrays, as in `storeResults`, so each is found by the primary key). With `steps` (`stepWrites`),
 * it writes the transaction's pending machine steps too, before it takes the head (and fails
 * unless they met their machines and reports as they began: `stepCounts`).
 * `last`: nothing but the commit follows in the transaction, which is sent with it (`thenCommit`
 * in the store).
 */
export const appendJournalRows = (
  db: Sql,
  campaignId: string,
  rows: ReadonlyArray<AppendRow>,
  answers: ReadonlyArray<AnswerAtHead> = [],
  last = false,
  steps?: StepRows,
) =>
  sql<{ seq: number }>`${last ? commitsWith : sql``}
    with ${
      steps === undefined
        ? sql``
        : // The steps' writes first (a volatile function's CTE is not inlined): the head is taken last.
          sql`${stepWrites(steps)}, written as (select ${stepCounts(steps)} as as_begun), `
    }appended as (
      select journal_append(${campaignId}, ${JSON.stringify(rows)}::jsonb) as seq${
        steps === undefined ? sql`` : sql` from written`
      }
    )${
      answers.length === 0
        ? sql``
        : sql`, answered as (
      update command_results c
      set result = jsonb_set(r.result, '{journal}', to_jsonb((select seq from appended) - r.after))
      from unnest(${answers.map((a) => a.principal_id)}::text[], ${answers.map((a) => a.idempotency_key)}::text[],
        ${answers.map((a) => JSON.stringify(a.result))}::jsonb[], ${answers.map((a) => a.after)}::int[])
        as r(principal_id, idempotency_key, result, after)
      where c.principal_id = r.principal_id and c.idempotency_key = r.idempotency_key
    )`
    }
    select seq from appended`
    .execute(db)
    .then((result) => result.rows[0])

/** The campaign's journal head: the last row's sequence number and hash. */
export const journalHead = (db: Sql, campaignId: string) =>
  db
    .selectFrom("campaigns")
    .select(["journal_seq", "journal_head"])
    .where("id", "=", campaignId)
    .executeTakeFirstOrThrow()
