/**
 * A worker process of the benchmark: the engine's own `runWorker` against the
 * benchmark's PostgreSQL, on the campaign calendar the driver moves (it sends
 * the time over IPC and waits for the answer before waking the workers). On
 * `stop` it finishes its current item, reports its peak RSS and exits.
 */
import { Clock, Log, Signer, storeLayer } from "@liandong/engine/runtime"
import { runWorker } from "@liandong/engine/worker"
import { openStore } from "@liandong/store"
import { Effect, Fiber, Layer } from "effect"
import { pino } from "pino"
import { preparedStatementsFromEnv } from "./Database.ts"
import { peakRssKb } from "./Rss.ts"

/** What the driver tells a worker process. */
export type ToWorker = { readonly type: "clock"; readonly at: number } | { readonly type: "stop" }

/** What a worker process answers. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "clock"; readonly at: number }
  | { readonly type: "stopped"; readonly maxRssKb: number }

// Nothing is sent once the channel is closed (its part gone): the worker is about to exit.
const send = (message: FromWorker) => (process.connected ? process.send?.(message) : undefined)

const main = async () => {
  const url = process.env.DATABASE_URL
  const key = process.env.LIANDONG_KEY
  if (url === undefined || key === undefined || process.send === undefined)
    throw new Error("a benchmark worker needs DATABASE_URL, LIANDONG_KEY and an IPC channel")
  const store = await openStore({ databaseUrl: url, poolSize: 2, preparedStatements: preparedStatementsFromEnv() })
  let now = Number(process.env.BENCH_CLOCK ?? Date.now())
  const clock = Layer.succeed(Clock)(
    Clock.of({
      now: Effect.sync(() => new Date(now)),
      set: (at) =>
        Effect.sync(() => {
          now = Math.max(now, at.getTime())
        }),
      simulated: true,
    }),
  )
  const layer = Layer.mergeAll(
    storeLayer(store),
    clock,
    Log.of_(pino({ level: process.env.LOG_LEVEL ?? "error" }, pino.destination(2))),
    Signer.fromFile(key),
  )
  const fiber = Effect.runFork(Effect.provide(runWorker({ pollMs: Number(process.env.BENCH_POLL_MS ?? 200) }), layer))
  let stopped = false
  process.on("message", (message: ToWorker) => {
    if (message.type === "clock") {
      now = Math.max(now, message.at)
      send({ type: "clock", at: message.at })
    } else if (message.type === "stop") {
      Effect.runPromise(Fiber.interrupt(fiber))
        .then(() => store.close())
        .then(() => {
          stopped = true
          send({ type: "stopped", maxRssKb: peakRssKb() })
          process.disconnect()
        })
    }
  })
  send({ type: "ready" })
  // Its part gone without a stop (the channel closed, or broken under a send): nothing is left
  // to do for anyone.
  process.on("disconnect", () => process.exit(stopped ? 0 : 1))
  process.on("error", () => process.exit(1))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
