/**
 * The server: the API's handlers on Effect's HttpApi, /openapi.json and /docs,
 * the guard around every request, on Node's HTTP server. The engine's services
 * (database, clock, logger, signer) are provided from outside, so the same
 * server runs on PGlite or PostgreSQL, in tests and in production.
 */
import { createServer } from "node:http"
import type { Duplex } from "node:stream"
import { NodeHttpServer } from "@effect/platform-node"
import { Api } from "@liandong/api"
import type { EngineServices } from "@liandong/engine/runtime"
import { runWorker } from "@liandong/engine/worker"
import { Effect, Layer, ManagedRuntime } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import { NetAddress } from "effect/net"
import { authenticationLayer } from "./Authentication.ts"
import type { SessionSettings } from "./Config.ts"
import { defaults, type ServerConfig } from "./Config.ts"
import { defaultSessionSettings } from "./CookieSession.ts"
import { guard } from "./Guard.ts"
import { accountHandlers } from "./handlers/Account.ts"
import { auditHandlers } from "./handlers/Audit.ts"
import { campaignsHandlers } from "./handlers/Campaigns.ts"
import { directoryHandlers } from "./handlers/Directory.ts"
import { liveHandlers } from "./handlers/Live.ts"
import { noticesHandlers } from "./handlers/Notices.ts"
import { peopleHandlers } from "./handlers/People.ts"
import { reportsHandlers } from "./handlers/Reports.ts"
import { summaryHandlers } from "./handlers/Summary.ts"
import { systemHandlers } from "./handlers/System.ts"
import { tasksHandlers } from "./handlers/Tasks.ts"
import { webhooksHandlers } from "./handlers/Webhooks.ts"
import { LiveHub } from "./LiveHub.ts"
import { oidcLayer } from "./Oidc.ts"
import { clientErrorAnswer } from "./Problems.ts"
import { RequestLimits } from "./RateLimit.ts"
import { requestExpiryLayer } from "./RequestExpiry.ts"

/** Node's HTTP server, answering what its parser refuses (a 431 among them) as problems too. */
const nodeServer = () => {
  const server = createServer()
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy()
      return
    }
    socket.end(clientErrorAnswer(error.code))
  })
  return server
}

/** The engine services the server runs with. */
export type { EngineServices }

/** Every route: the API, its OpenAPI document and its interactive docs. */
export const routesLayer = (
  limits: RequestLimits,
  sessions: SessionSettings = defaultSessionSettings,
  attachmentLimit: number = defaults.attachmentLimit,
) => {
  const handlers = Layer.mergeAll(
    systemHandlers,
    accountHandlers(limits, sessions),
    peopleHandlers(sessions),
    directoryHandlers,
    campaignsHandlers,
    tasksHandlers(attachmentLimit),
    reportsHandlers,
    auditHandlers,
    summaryHandlers,
    liveHandlers,
    noticesHandlers,
    webhooksHandlers,
  ).pipe(Layer.provide(authenticationLayer(limits, sessions)))
  return Layer.mergeAll(
    HttpApiBuilder.layer(Api, { openapiPath: "/openapi.json" }).pipe(Layer.provide(handlers)),
    HttpApiScalar.layer(Api, { path: "/docs" }),
    oidcLayer(),
  )
}

/**
 * The HTTP server on `config.host:config.port`, with the worker in-process when `config.worker`,
 * the live hub, and the sweep of expired request records.
 */
export const serverLayer = (config: ServerConfig) => {
  const limits = new RequestLimits(config.rateLimit)
  // Global: it wraps the router itself, so it also sees paths no route matches.
  const attachmentLimit = config.attachmentLimit ?? defaults.attachmentLimit
  const guarded = HttpRouter.middleware(
    guard({ bodyLimit: config.bodyLimit, attachmentLimit, limits, webDist: config.webDist }),
    { global: true },
  )
  const served = HttpRouter.serve(Layer.mergeAll(routesLayer(limits, config.sessions, attachmentLimit), guarded), {
    disableLogger: true,
    disableListenLog: true,
  }).pipe(Layer.provideMerge(LiveHub.layer(config.livePollMs, config.streamsPerToken ?? defaults.streamsPerToken)))
  const worker = config.worker ? Layer.effectDiscard(Effect.forkScoped(runWorker())) : Layer.empty
  return Layer.mergeAll(served, worker, requestExpiryLayer(config.requestExpiry)).pipe(
    Layer.provideMerge(NodeHttpServer.layer(nodeServer, { port: config.port, host: config.host })),
  )
}

/** A running server: its base URL, and how to stop it. */
export interface RunningServer {
  readonly url: string
  readonly close: () => Promise<void>
}

/** Starts the server with the given engine services; resolves once it listens, rejects if they cannot be had. */
export const startServer = async <E>(
  config: ServerConfig,
  services: Layer.Layer<EngineServices, E, never>,
): Promise<RunningServer> => {
  const runtime = ManagedRuntime.make(serverLayer(config).pipe(Layer.provide(services)))
  const server = await runtime.runPromise(Effect.service(HttpServer.HttpServer))
  return { url: NetAddress.formatUrlUnsafe(server.address), close: () => runtime.dispose() }
}
