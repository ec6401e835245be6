#!/usr/bin/env node
/**
 * `pnpm worker`: the engine's worker as its own process, on the database the
 * environment names (DATABASE_URL, else the embedded one). Any number may run
 * against one PostgreSQL: they share the queue and never apply an item twice.
 * LIANDONG_POLL_MS sets the longest sleep between looks at the queue when no
 * NOTIFY wakes it (default 1000). SIGTERM or SIGINT stops it between items,
 * with exit code 0.
 */
import { NodeRuntime } from "@effect/platform-node"
import { engineLayer, processTeardown, reportFailure } from "@liandong/engine/runtime"
import { runWorker } from "@liandong/engine/worker"
import { Effect } from "effect"

const pollMs = Number(process.env.LIANDONG_POLL_MS ?? "1000")
if (!Number.isInteger(pollMs) || pollMs < 10) {
  console.error("LIANDONG_POLL_MS 须为不小于 10 的整数 / must be a whole number of at least 10")
  process.exit(2)
}

// Stopped by a signal is a clean shutdown (0); a failure to start or run is 1, in one line.
runWorker({ pollMs }).pipe(
  Effect.provide(engineLayer({ now: process.env.LIANDONG_NOW, logLevel: "info" })),
  Effect.tapCause(reportFailure),
  NodeRuntime.runMain({ teardown: processTeardown, disableErrorReporting: true }),
)
