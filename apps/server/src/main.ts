#!/usr/bin/env node
/**
 * `pnpm serve`: the API (and the web UI) on the embedded database unless
 * DATABASE_URL is set, with the worker in the same process unless
 * LIANDONG_WORKER=off. Prints the URL; SIGTERM or SIGINT stops it cleanly:
 * requests in flight are answered, the worker finishes the item in hand, the
 * database (and the embedded folder's lock) is released, and it exits 0.
 */
import { NodeRuntime } from "@effect/platform-node"
import { engineLayer, isPostgres, storeOptionsFromEnv } from "@liandong/engine/runtime"
import { Cause, Effect, Exit, Layer, type Runtime } from "effect"
import { HttpServer } from "effect/http"
import { configFromEnv } from "./Config.ts"
import { serverLayer } from "./Server.ts"

const config = configFromEnv()
const engine = engineLayer({ now: process.env.LIANDONG_NOW, logLevel: "info" })

// Started by `liandong serve` (with an IPC channel): when that process is gone, even killed
// outright, stop as on SIGTERM rather than run on without it.
if (process.channel !== undefined) process.once("disconnect", () => process.kill(process.pid, "SIGTERM"))

const program = Effect.gen(function* () {
  const server = yield* HttpServer.HttpServer
  const url = HttpServer.formatAddress(server.address)
  console.log(`联动 Liandong API: ${url}  (接口文档 docs: ${url}/docs · OpenAPI: ${url}/openapi.json)`)
  console.log(
    `数据库 database: ${isPostgres(storeOptionsFromEnv()) ? "PostgreSQL" : "embedded PGlite"} · 后台处理 worker: ${config.worker ? "in this process" : "off"} · 网页 web UI: ${config.webDist ?? "not built"}`,
  )
  return yield* Effect.never
})

/** A failure to start (the data folder held by another process…): its one bilingual line, else the whole cause. */
const report = (cause: Cause.Cause<unknown>) =>
  Effect.sync(() => {
    if (Cause.hasInterruptsOnly(cause)) return
    const error = Cause.squash(cause)
    if (typeof error === "object" && error !== null && "zh" in error && "en" in error) {
      console.error(`错误:${String(error.zh)} | error: ${String(error.en)}`)
    } else {
      console.error(Cause.pretty(cause))
    }
  })

// Stopped by a signal is a clean shutdown (0); a failure to start or run is 1.
const teardown: Runtime.Teardown = (exit, onExit) =>
  onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1)

program.pipe(
  Effect.provide(serverLayer(config).pipe(Layer.provide(engine))),
  Effect.tapCause(report),
  NodeRuntime.runMain({ teardown, disableErrorReporting: true }),
)
