/**
 * The services every entry point (CLI, server, worker) runs the engine with:
 * the database (embedded PGlite unless DATABASE_URL is set), the campaign
 * clock (real, or fixed for a simulated calendar), the logger and the signer.
 */
import { migrateToLatest, openStore, type Store, type StoreOptions, storeOptionsFromEnv } from "@liandong/store"
import { Effect, Layer } from "effect"
import { Signer } from "./audit/Signer.ts"
import { Clock } from "./Clock.ts"
import { Db } from "./Db.ts"
import { Log } from "./Log.ts"

/** Opens the store for the layer's lifetime and closes it afterwards; the embedded database migrates itself. */
export const dbLayer = (options: StoreOptions = storeOptionsFromEnv()) =>
  Layer.effect(Db)(
    Effect.acquireRelease(
      Effect.promise(async () => {
        const store = await openStore(options)
        if (store.kind === "pglite") await migrateToLatest(store.db)
        return Db.of({ store, kysely: store.db })
      }),
      (db) => Effect.promise(() => db.store.close()),
    ),
  )

/** The database service over a store someone else opened and will close (tests, the bench). */
export const storeLayer = (store: Store) => Db.fromStore(store)

/** The clock: a fixed time (`--now`, or LIANDONG_NOW) makes a simulated calendar; otherwise the system clock. */
export const clockLayer = (now: string | undefined) => {
  const fixed = now ?? process.env.LIANDONG_NOW
  return fixed === undefined || fixed === "" ? Clock.system : Clock.simulatedAt(new Date(fixed))
}

/** Database, clock, logger (at `logLevel` unless LOG_LEVEL says otherwise) and the checkpoint signer. */
export const engineLayer = (options: {
  now?: string | undefined
  logLevel: string
  store?: StoreOptions | undefined
}) =>
  Layer.mergeAll(
    dbLayer(options.store ?? storeOptionsFromEnv()),
    clockLayer(options.now),
    Log.fromEnv(options.logLevel),
    Signer.fromEnv(),
  )
