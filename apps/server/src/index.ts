/** @liandong/server — the HTTP API as a layer, for the `serve` entry point and the tests. */
export { type ServerConfig, configFromEnv, defaults } from "./Config.ts"
export { type EngineServices, type RunningServer, routesLayer, serverLayer, startServer } from "./Server.ts"
