/**
 * Idempotency records of HTTP requests are kept for a retention (7 days by
 * default), long enough for any client's retries, then swept: the server
 * deletes expired ones in bounded batches, at start and every interval, so
 * the table does not grow without end and no sweep holds locks for long.
 */

import { expireRequests } from "@liandong/engine/commands"
import type { Db } from "@liandong/engine/runtime"
import { Log } from "@liandong/engine/runtime"
import { Effect, Layer, Schedule } from "effect"

/** How request records expire. */
export interface RequestExpiryOptions {
  /** how long a request's record is kept, in seconds */
  readonly retentionSeconds: number
  /** how often the server sweeps, in milliseconds */
  readonly everyMs: number
  /** the most rows one delete removes */
  readonly batch: number
}

/** Deletes every expired request record, a batch at a time; the number deleted. */
export const sweepRequests = (options: Pick<RequestExpiryOptions, "retentionSeconds" | "batch">) =>
  Effect.gen(function* () {
    let total = 0
    for (;;) {
      const deleted = yield* expireRequests(options.retentionSeconds, options.batch)
      total += deleted
      if (deleted < options.batch) return total
    }
  })

/** Sweeps at start and every `everyMs` for as long as the layer lives; a failed sweep waits for the next. */
export const requestExpiryLayer = (options: RequestExpiryOptions): Layer.Layer<never, never, Db | Log> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const log = yield* Log
      const sweep = sweepRequests(options).pipe(
        Effect.tap((deleted) =>
          Effect.sync(() => {
            if (deleted > 0)
              log.info({ deleted, retentionSeconds: options.retentionSeconds }, "idempotency records expired")
          }),
        ),
        Effect.catch((error) => Effect.sync(() => log.warn({ err: error }, "idempotency sweep failed"))),
      )
      yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced(`${options.everyMs} millis`)))
    }),
  )
