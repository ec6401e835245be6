/**
 * The services a CLI command runs with: the database (embedded PGlite unless
 * DATABASE_URL is set), the campaign clock (real, or fixed by --now for a
 * simulated calendar) and the logger.
 */
import { Clock, Db, Log, Signer } from "@liandong/engine"
import { migrateToLatest, openStore, type StoreOptions, storeOptionsFromEnv } from "@liandong/store"
import { Effect, Layer } from "effect"

/** Opens the store for the command and closes it afterwards; the embedded database migrates itself. */
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

/** The clock: `--now` (or LIANDONG_NOW) fixes the campaign time for this run. */
export const clockLayer = (now: string | undefined) => {
  const fixed = now ?? process.env.LIANDONG_NOW
  return fixed === undefined || fixed === "" ? Clock.system : Clock.simulatedAt(new Date(fixed))
}

/** Everything a command needs. */
export const appLayer = (options: { now?: string | undefined; debug?: boolean }) =>
  Layer.mergeAll(dbLayer(), clockLayer(options.now), Log.fromEnv(options.debug ? "debug" : "warn"), Signer.fromEnv())
