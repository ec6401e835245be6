/** @liandong/server — the HTTP API as a layer, for the `serve` entry point and the tests. */
export { configFromEnv, defaults, type ServerConfig } from "./Config.ts"
export { type EngineServices, type RunningServer, routesLayer, serverLayer, startServer } from "./Server.ts"
