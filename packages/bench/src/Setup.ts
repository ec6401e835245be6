/**
 * Setting a run up: the database (a fresh PostgreSQL database, or embedded
 * PGlite in a temporary folder), the engine's services over it, the
 * deployed national campaign and its principals.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { addPrincipals, deploy } from "@liandong/engine/commands"
import {
  type Actor,
  Clock,
  type Db,
  Log,
  operator,
  provisionSigningKey,
  Signer,
  storeLayer,
} from "@liandong/engine/runtime"
import { migrateToLatest, openStore, type Store } from "@liandong/store"
import { Layer, ManagedRuntime } from "effect"
import { sql } from "kysely"
import { pino } from "pino"
import { campaignKey, nationalCampaign, normalizedCampaign } from "./Campaign.ts"
import type { Principals } from "./Commands.ts"
import { createBenchDatabase, preparedStatementsFromEnv } from "./Database.ts"
import { nationalKey } from "./Nation.ts"

/** Which database a run uses. */
export type DatabaseKind = "postgres" | "pglite"

/** An opened run: its store, engine runtime, campaign and principals; `close` removes everything. */
export interface Bench {
  readonly kind: DatabaseKind
  readonly store: Store
  readonly url: string | undefined
  readonly keyFile: string
  readonly runtime: ManagedRuntime.ManagedRuntime<Db | Clock | Log | Signer, never>
  readonly campaign: ReturnType<typeof normalizedCampaign>
  readonly principals: Principals
  readonly deploySeconds: number
  readonly close: () => Promise<void>
}

const liaisonOf = (unit: string): Actor => ({ kind: "principal", id: `${unit}.liaison`, role: "unit", unit })

/** Opens the database, deploys a nation of `units` units and registers a liaison for each. */
export const openBench = async (options: {
  kind: DatabaseKind
  units: number
  seed: number
  poolSize: number
  start: number
}): Promise<Bench> => {
  const dir = await mkdtemp(join(tmpdir(), "liandong-bench-"))
  const database = options.kind === "postgres" ? await createBenchDatabase(String(options.seed)) : undefined
  const store = await openStore(
    database
      ? { databaseUrl: database.url, poolSize: options.poolSize, preparedStatements: preparedStatementsFromEnv() }
      : { dataDir: join(dir, "data"), preparedStatements: preparedStatementsFromEnv() },
  )
  await migrateToLatest(store.db)
  // The run's own key, made before anything signs; its worker processes read the same file.
  const keyFile = join(dir, "checkpoint-ed25519.pem")
  provisionSigningKey(keyFile)
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      storeLayer(store),
      Clock.simulatedAt(new Date(options.start)),
      Log.of_(pino({ level: "silent" })),
      // Just made: a key that cannot be read now is a defect.
      Layer.orDie(Signer.fromFile(keyFile)),
    ),
  )
  const input = nationalCampaign(options.units, options.seed)
  const started = performance.now()
  await runtime.runPromise(deploy(input, operator))
  const deploySeconds = (performance.now() - started) / 1000
  // The directory is set-up, not load: principals go in as one import, a thousand rows a statement.
  const units = input.units.filter((u) => u.key !== nationalKey)
  await runtime.runPromise(
    addPrincipals(
      [
        { id: `${nationalKey}.lead`, name: "活动牵头人", role: "coordinator", unit: nationalKey },
        ...units.map((u) => ({ id: `${u.key}.liaison`, name: `${u.name}联络员`, role: "unit", unit: u.key })),
      ],
      operator,
    ),
  )
  // Fresh statistics after the bulk load, as after any large import (autovacuum may be off).
  await sql`analyze`.execute(store.db)
  const liaisons = new Map(units.map((u) => [u.key, liaisonOf(u.key)]))
  return {
    kind: options.kind,
    store,
    url: database?.url,
    keyFile,
    runtime,
    campaign: normalizedCampaign(input),
    principals: {
      lead: { kind: "principal", id: `${nationalKey}.lead`, role: "coordinator", unit: nationalKey },
      liaison: (unit) => liaisons.get(unit) ?? liaisonOf(unit),
    },
    deploySeconds,
    close: async () => {
      await runtime.dispose()
      await store.close()
      await database?.drop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The benchmark campaign's key. */
export { campaignKey }
