#!/usr/bin/env node
/**
 * `pnpm serve`: the API (and the web UI) on the embedded database unless
 * DATABASE_URL is set, with the worker in the same process unless
 * LIANDONG_WORKER=off. Prints the URL; SIGTERM or SIGINT stops it cleanly.
 */
import { NodeRuntime } from "@effect/platform-node"
import { engineLayer } from "@liandong/engine/runtime"
import { Effect, Layer } from "effect"
import { HttpServer } from "effect/http"
import { configFromEnv } from "./Config.ts"
import { serverLayer } from "./Server.ts"

const config = configFromEnv()
const engine = engineLayer({ now: process.env.LIANDONG_NOW, logLevel: "info" })

const program = Effect.gen(function* () {
  const server = yield* HttpServer.HttpServer
  const url = HttpServer.formatAddress(server.address)
  console.log(`联动 Liandong API: ${url}  (接口文档 docs: ${url}/docs · OpenAPI: ${url}/openapi.json)`)
  console.log(
    `数据库 database: ${process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite"} · 后台处理 worker: ${config.worker ? "in this process" : "off"} · 网页 web UI: ${config.webDist ?? "not built"}`,
  )
  return yield* Effect.never
})

program.pipe(Effect.provide(serverLayer(config).pipe(Layer.provide(engine))), NodeRuntime.runMain)
