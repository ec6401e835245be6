/**
 * Idempotency keys: a command retried with the same key and the same request
 * returns the first answer and changes nothing; the same key with a different
 * request is refused. The key's row is inserted first, so a concurrent
 * duplicate waits on it instead of running twice. A command's key is claimed in
 * its group commit (`GroupCommit.ts`); an HTTP request's here, before it runs.
 */
import { Effect } from "effect"
import { type Db, query } from "./Db.ts"
import type { StoreError } from "./Errors.ts"
import { claimKey, claimOf, expireRequestRecords, releaseClaim, storeResult, takeOverClaim } from "./sql/Requests.ts"

/** What claiming a request's key found: go ahead, replay the stored answer, or refuse. */
export type RequestClaim =
  | { readonly kind: "claimed" }
  | { readonly kind: "replay"; readonly status: number; readonly body: unknown }
  | { readonly kind: "reused" }
  | { readonly kind: "in-flight" }

// A request key's rows share the commands' table, apart from their keys: "request:<key>".
const requestKey = (key: string) => `request:${key}`

/**
 * Claims an Idempotency-Key for a request before it runs, in a transaction of its own, so
 * every server process sees it: a first claim runs the request; the same key with the same
 * request hash replays its stored answer, or is in flight while the first still runs
 * (a claim older than `leaseSeconds` was abandoned by a crashed process and is taken over);
 * with another request hash it is reused.
 */
export const claimRequest = (
  principalId: string,
  key: string,
  requestHash: string,
  leaseSeconds = 60,
): Effect.Effect<RequestClaim, StoreError, Db> =>
  Effect.gen(function* () {
    const stored = requestKey(key)
    const claimed = yield* query("idempotency.request.claim", (db) => claimKey(db, principalId, stored, requestHash))
    if (claimed) return { kind: "claimed" } as RequestClaim
    const previous = yield* query("idempotency.request.load", (db) => claimOf(db, principalId, stored, leaseSeconds))
    // Released between our insert and our read: claim again.
    if (previous === undefined) return yield* claimRequest(principalId, key, requestHash, leaseSeconds)
    if (previous.request_hash !== requestHash) return { kind: "reused" } as RequestClaim
    const answer = previous.result as { status?: number; body?: unknown } | null
    if (answer !== null && typeof answer.status === "number") {
      return { kind: "replay", status: answer.status, body: answer.body } as RequestClaim
    }
    if (!previous.stale) return { kind: "in-flight" } as RequestClaim
    const taken = yield* query("idempotency.request.takeOver", (db) =>
      takeOverClaim(db, principalId, stored, leaseSeconds),
    )
    return (taken ? { kind: "claimed" } : { kind: "in-flight" }) as RequestClaim
  })

/** Stores the answer of a claimed request, for replays. */
export const completeRequest = (principalId: string, key: string, status: number, body: unknown) =>
  query("idempotency.request.complete", (db) => storeResult(db, principalId, requestKey(key), { status, body })).pipe(
    Effect.asVoid,
  )

/** Releases a claimed request that failed, so a retry runs it again. */
export const releaseRequest = (principalId: string, key: string) =>
  query("idempotency.request.release", (db) => releaseClaim(db, principalId, requestKey(key))).pipe(Effect.asVoid)

/**
 * Deletes up to `batch` records of HTTP requests (`request:<key>`), oldest
 * first, that are older than `retentionSeconds`, and says how many went. A
 * retry with such a key runs anew; the engine's own record of the command it
 * ran (the bare key) stays and still keeps the command from being applied
 * twice. Rows another transaction holds are skipped, so several servers can
 * sweep at once.
 */
export const expireRequests = (retentionSeconds: number, batch: number) =>
  query("idempotency.request.expire", (db) => expireRequestRecords(db, retentionSeconds, batch))
