/**
 * Idempotency keys: a command retried with the same key and the same request
 * returns the first answer and changes nothing; the same key with a different
 * request is refused. The key's row is inserted first, so a concurrent
 * duplicate waits on it instead of running twice.
 */
import type { Database } from "@liandong/store"
import { canonicalJson, sha256Hex } from "@liandong/workflow"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import type { Actor } from "./Actor.ts"
import { query } from "./Db.ts"
import { IdempotencyConflict } from "./Errors.ts"

/** Runs `run` once per (actor, key); a replay returns the stored result with `replayed: true`. */
export const once = <A, E, R>(
  tx: Transaction<Database>,
  actor: Actor,
  key: string | null | undefined,
  request: unknown,
  run: Effect.Effect<A, E, R>,
) =>
  Effect.gen(function* () {
    if (key === null || key === undefined) return { result: yield* run, replayed: false }
    const requestHash = sha256Hex(canonicalJson(request))
    const claimed = yield* query(
      "idempotency.claim",
      (db) =>
        db
          .insertInto("command_results")
          .values({ principal_id: actor.id, idempotency_key: key, request_hash: requestHash, result: "null" })
          .onConflict((oc) => oc.columns(["principal_id", "idempotency_key"]).doNothing())
          .returning("principal_id")
          .executeTakeFirst(),
      tx,
    )
    if (claimed === undefined) {
      const previous = yield* query(
        "idempotency.load",
        (db) =>
          db
            .selectFrom("command_results")
            .select(["request_hash", "result"])
            .where("principal_id", "=", actor.id)
            .where("idempotency_key", "=", key)
            .executeTakeFirstOrThrow(),
        tx,
      )
      if (previous.request_hash !== requestHash) return yield* new IdempotencyConflict({ key })
      return { result: previous.result as A, replayed: true }
    }
    const result = yield* run
    yield* query(
      "idempotency.store",
      (db) =>
        db
          .updateTable("command_results")
          .set({ result: JSON.stringify(result) })
          .where("principal_id", "=", actor.id)
          .where("idempotency_key", "=", key)
          .execute(),
      tx,
    )
    return { result, replayed: false }
  })
