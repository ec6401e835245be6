/**
 * The services every entry point (CLI, server, worker) runs the engine with:
 * the database (embedded PGlite unless the environment names a PostgreSQL
 * server), the campaign clock (real, or fixed for a simulated calendar), the
 * logger and the signer.
 */
import type { SettingInvalid } from "@liandong/store"
import {
  DataFolderInUse,
  migrateToLatest,
  openStore,
  type Store,
  type StoreOptions,
  storeOptionsFromEnv,
} from "@liandong/store"
import { Effect, Layer } from "effect"
import { Signer } from "./audit/Signer.ts"
import { Clock } from "./Clock.ts"
import { Db, toStoreError } from "./Db.ts"
import { Log } from "./Log.ts"
import { mailerLayerFromEnv } from "./notices/Smtp.ts"

/**
 * Opens the store for the layer's lifetime and closes it afterwards; the embedded database
 * migrates itself. Fails with `DataFolderInUse` when another process holds the embedded folder,
 * with a `StoreError` when the store cannot be opened or migrated.
 */
export const dbLayer = (options: StoreOptions = storeOptionsFromEnv()) =>
  Layer.effect(Db)(
    Effect.acquireRelease(
      Effect.gen(function* () {
        const store = yield* Effect.tryPromise({
          try: () => openStore(options),
          catch: (cause) => (cause instanceof DataFolderInUse ? cause : toStoreError("open")(cause)),
        })
        if (store.kind === "pglite") {
          // A store that fails to migrate is closed here: nothing else would, and it holds its folder.
          yield* Effect.tryPromise({ try: () => migrateToLatest(store.db), catch: toStoreError("migrate") }).pipe(
            Effect.onError(() => Effect.promise(() => store.close()).pipe(Effect.ignore)),
          )
        }
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

/**
 * Database, clock, logger (at `logLevel` unless LOG_LEVEL says otherwise) and the checkpoint
 * signer. The key (`keyFile`, else the environment's) is required by default: the layer fails
 * before the database opens when it cannot be read, so a server or a worker without the
 * deployment's key never starts. `signingKey: "on-use"` (the CLI) fails only what signs.
 * Settings from the environment are read while the layer is built, so a bad one fails it
 * with its message.
 */
export const engineLayer = (options: {
  now?: string | undefined
  logLevel: string
  store?: StoreOptions | undefined
  keyFile?: string | undefined
  signingKey?: "required" | "on-use" | undefined
}) => {
  const required = options.signingKey !== "on-use"
  const signer =
    options.keyFile === undefined ? Signer.fromEnv({ required }) : Signer.fromFile(options.keyFile, { required })
  const store = Layer.unwrap(
    Effect.try({
      try: () => dbLayer(options.store ?? storeOptionsFromEnv()),
      catch: (error) => error as SettingInvalid,
    }),
  )
  const mailer = Layer.unwrap(
    Effect.try({
      try: () => mailerLayerFromEnv(),
      catch: (error) => error as SettingInvalid,
    }),
  )
  return Layer.mergeAll(store, clockLayer(options.now), Log.fromEnv(options.logLevel), mailer).pipe(
    Layer.provideMerge(signer),
  )
}
