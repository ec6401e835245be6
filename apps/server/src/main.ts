#!/usr/bin/env node
/**
 * `pnpm serve`: the API (and the web UI) on the embedded database unless
 * DATABASE_URL is set, with the worker in the same process unless
 * LIANDONG_WORKER=off. Prints the URL; SIGTERM or SIGINT stops it cleanly:
 * requests in flight are answered, the worker finishes the item in hand, the
 * database (and the embedded folder's lock) is released, and it exits 0.
 */
import { NodeRuntime } from "@effect/platform-node"
import { engineLayer, isPostgres, processTeardown, reportFailure, storeOptionsFromEnv } from "@liandong/engine/runtime"
import { Effect, Layer } from "effect"
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

// Stopped by a signal is a clean shutdown (0); a failure to start or run is 1, in one line.
program.pipe(
  Effect.provide(serverLayer(config).pipe(Layer.provide(engine))),
  Effect.tapCause(reportFailure),
  NodeRuntime.runMain({ teardown: processTeardown, disableErrorReporting: true }),
)
