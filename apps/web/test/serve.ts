/**
 * The real server for the browser tests: the tour seeded into a fresh
 * embedded database in a temporary folder, then apps/server started on it
 * (port 0) with the campaign clock fixed and the built UI.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { engineLayer, provisionSigningKey } from "@liandong/engine/runtime"
import { configFromEnv, startServer } from "@liandong/server"
import { webDist } from "../build.ts"
import { seedTour, tourClock } from "./seed.ts"

/** A running, seeded server. */
export interface TourServer {
  readonly url: string
  readonly close: () => Promise<void>
}

/** Seeds the tour and serves it with the UI. */
export const serveTour = async (): Promise<TourServer> => {
  const dataDir = await mkdtemp(join(tmpdir(), "liandong-web-"))
  // Its own key beside its data, as a deployment provisions one: nothing else signs with it.
  const keyFile = provisionSigningKey(join(dataDir, "keys", "checkpoint-ed25519.pem")).path
  await seedTour(dataDir, keyFile)
  const server = await startServer(
    { ...configFromEnv({}), port: 0, webDist, worker: true },
    engineLayer({ now: tourClock.now, logLevel: "warn", store: { dataDir }, keyFile }),
  )
  return {
    url: server.url,
    close: async () => {
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
