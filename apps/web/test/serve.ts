/**
 * The real server for the browser tests: the tour seeded into a fresh
 * embedded database in a temporary folder, then apps/server started on it
 * (port 0) with the campaign clock fixed and the built UI.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { engineLayer } from "@liandong/engine/runtime"
import { configFromEnv, startServer } from "@liandong/server"
import { webDist } from "../build.ts"
import { seedTour, type TourTokens, tourClock } from "./seed.ts"

/** A running, seeded server. */
export interface TourServer {
  readonly url: string
  readonly tokens: TourTokens
  readonly close: () => Promise<void>
}

/** Seeds the tour and serves it with the UI. */
export const serveTour = async (): Promise<TourServer> => {
  const dataDir = await mkdtemp(join(tmpdir(), "liandong-web-"))
  const tokens = await seedTour(dataDir)
  const server = await startServer(
    { ...configFromEnv({}), port: 0, webDist, worker: true },
    engineLayer({ now: tourClock.now, logLevel: "warn", store: { dataDir } }),
  )
  return {
    url: server.url,
    tokens,
    close: async () => {
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
