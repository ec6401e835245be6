/**
 * Idempotency records (`command_results`): a command's key, or an HTTP request's
 * (`request:<key>`), with the hash of what was asked and the answer once there is one.
 */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** Claims `key` for the principal with the request's hash; true if this call claimed it (no row was there). */
export const claimKey = (db: Sql, principalId: string, key: string, requestHash: string) =>
  db
    .insertInto("command_results")
    .values({ principal_id: principalId, idempotency_key: key, request_hash: requestHash, result: "null" })
    .onConflict((oc) => oc.columns(["principal_id", "idempotency_key"]).doNothing())
    .returning("principal_id")
    .executeTakeFirst()
    .then((row) => row !== undefined)

/** The request hash and stored answer of a claimed key. */
export const storedResult = (db: Sql, principalId: string, key: string) =>
  db
    .selectFrom("command_results")
    .select(["request_hash", "result"])
    .where("principal_id", "=", principalId)
    .where("idempotency_key", "=", key)
    .executeTakeFirstOrThrow()

/** A claimed key's request hash and answer, and whether the claim is older than `leaseSeconds`; nothing if released. */
export const claimOf = (db: Sql, principalId: string, key: string, leaseSeconds: number) =>
  db
    .selectFrom("command_results")
    .select([
      "request_hash",
      "result",
      sql<boolean>`created_at < now() - make_interval(secs => ${leaseSeconds})`.as("stale"),
    ])
    .where("principal_id", "=", principalId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst()

/** Stores the answer of a claimed key (as JSON). */
export const storeResult = (db: Sql, principalId: string, key: string, result: unknown) =>
  db
    .updateTable("command_results")
    .set({ result: JSON.stringify(result) })
    .where("principal_id", "=", principalId)
    .where("idempotency_key", "=", key)
    .execute()

/** Takes over a claim still without an answer and older than `leaseSeconds`; true if taken. */
export const takeOverClaim = (db: Sql, principalId: string, key: string, leaseSeconds: number) =>
  db
    .updateTable("command_results")
    .set({ created_at: sql`now()` })
    .where("principal_id", "=", principalId)
    .where("idempotency_key", "=", key)
    .where(sql<boolean>`result = 'null'::jsonb`)
    .where(sql<boolean>`created_at < now() - make_interval(secs => ${leaseSeconds})`)
    .executeTakeFirst()
    .then((result) => Number(result.numUpdatedRows) === 1)

/** Deletes a claim that has no answer yet, so the key can be claimed again. */
export const releaseClaim = (db: Sql, principalId: string, key: string) =>
  db
    .deleteFrom("command_results")
    .where("principal_id", "=", principalId)
    .where("idempotency_key", "=", key)
    .where(sql<boolean>`result = 'null'::jsonb`)
    .execute()

/**
 * Deletes up to `batch` records of HTTP requests older than `retentionSeconds`, oldest first,
 * found through their age index and deleted by their physical address, skipping rows another
 * transaction holds; how many went.
 */
export const expireRequestRecords = (db: Sql, retentionSeconds: number, batch: number) =>
  sql`
    delete from command_results
    where ctid = any(array(
      select ctid from command_results
      where idempotency_key like 'request:%'
        and created_at < now() - make_interval(secs => ${retentionSeconds})
      order by created_at
      limit ${batch}
      for update skip locked
    ))`
    .execute(db)
    .then((result) => Number(result.numAffectedRows ?? 0))

/**
 * Stores the answers of many claimed keys in one statement (a group commit's commands). The
 * keys come as arrays: `unnest` lets the planner see how few they are and find each by the
 * primary key, where a JSON record set (guessed at a hundred rows) was hashed against a scan of
 * the whole table, which grows with every command ever run.
 */
export const storeResults = (db: Sql, rows: ReadonlyArray<StoredResult>) => storeResultsStatement(rows).execute(db)

/** A key's answer to store. */
export interface StoredResult {
  readonly principal_id: string
  readonly idempotency_key: string
  readonly result: unknown
}

/** The statement of `storeResults` (its plan is tested). */
export const storeResultsStatement = (rows: ReadonlyArray<StoredResult>) =>
  sql`update command_results c set result = r.result
      from unnest(${rows.map((row) => row.principal_id)}::text[], ${rows.map((row) => row.idempotency_key)}::text[],
        ${rows.map((row) => JSON.stringify(row.result))}::jsonb[]) as r(principal_id, idempotency_key, result)
      where c.principal_id = r.principal_id and c.idempotency_key = r.idempotency_key`
