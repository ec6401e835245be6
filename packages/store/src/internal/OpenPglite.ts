/**
 * Embedded PostgreSQL (PGlite) behind the same pg Pool + PostgresDialect as a
 * server, through PGlite's node-postgres adapter. PGlite is one session: the
 * pool holds one client, so a transaction (`transaction()` or
 * `startTransaction()`) has the session to itself from BEGIN to COMMIT and
 * every other query waits its turn instead of running inside it. A data folder
 * is one process's at a time: its lock (FolderLock.ts) is taken before PGlite
 * touches it and given up when the store closes.
 */
import { existsSync, rmSync } from "node:fs"
import { join, resolve } from "node:path"
import type { PGlite } from "@electric-sql/pglite"
import { Kysely, PostgresDialect } from "kysely"
import pg from "pg"
import type { Database } from "../Database.ts"
import type { Store } from "../Store.ts"
import { assertChannel } from "./Channel.ts"
import { type FolderLock, lockFolder } from "./FolderLock.ts"
import { cacheFolder, readTemplate, saveTemplate, templateFile } from "./InitdbTemplate.ts"
import { preparingClient, StatementNames } from "./PreparedStatements.ts"
import { waker } from "./Wake.ts"

/**
 * Shared buffers for a laptop: PGlite's 128 MB default lives in the process's WebAssembly
 * memory, which never shrinks; 16 MB halves a command's peak memory at no cost in time
 * (docs/performance.md). Given on the command line, so nothing is written into the folder.
 */
const sharedBuffers = "16MB"

/**
 * Starts PGlite on `location`. A new database starts from the copy of a fresh one when there is one
 * (InitdbTemplate.ts); a function of its own so that the copy is garbage once PGlite has loaded it.
 */
const createPglite = async (
  PGliteModule: typeof PGlite,
  location: string,
  inMemory: boolean,
  log: (message: string) => void,
): Promise<PGlite> => {
  const initdbParams = ["-c", `shared_buffers=${sharedBuffers}`]
  const startParams = [...PGliteModule.defaultStartParams, ...initdbParams]
  const isNew = inMemory || !existsSync(join(location, "PG_VERSION"))
  const template = isNew ? templateFile(initdbParams, cacheFolder()) : undefined
  const copy = readTemplate(template, log)
  // A new folder's initdb runs PostgreSQL beside a second WebAssembly instance and would pick
  // 128 MB of buffers for itself: with 16 MB a fresh folder's peak is 35-50 MB lower. It also
  // writes the setting into the new folder's postgresql.conf, which the start parameters override anyway.
  const create = (loadDataDir: Blob | undefined) =>
    PGliteModule.create(location, { startParams, initDbStartParams: initdbParams, loadDataDir })
  if (copy === undefined) {
    const pglite = await create(undefined)
    if (isNew) await saveTemplate(template, pglite, log)
    return pglite
  }
  try {
    return await create(copy)
  } catch (error) {
    // A copy PGlite cannot load is dropped; an in-memory database is simply made again.
    log(`pglite: the copy ${template} did not load (${String(error)}); it is dropped`)
    if (template !== undefined) rmSync(template, { force: true })
    if (!inMemory) throw error
    return create(undefined)
  }
}

/**
 * Opens (creating if needed) the database in `dataDir`, or in memory for `memory://`.
 * Rejects with `DataFolderInUse` when another process (or another open store) holds the folder.
 */
export const openPglite = async (
  dataDir: string,
  prepared: boolean,
  log: (message: string) => void,
): Promise<Store> => {
  const inMemory = dataDir.startsWith("memory://")
  const location = inMemory ? dataDir : resolve(dataDir)
  const lock: FolderLock | undefined = inMemory ? undefined : await lockFolder(location)
  const started = Date.now()
  // Loaded here, not at the top: a command on PostgreSQL never pays for PGlite.
  const [{ PGlite }, { createPgConfig }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/node-postgres"),
  ])
  let pglite: PGlite
  try {
    pglite = await createPglite(PGlite, location, inMemory, log)
  } catch (error) {
    lock?.release()
    throw error
  }
  // Loading a copy writes files into the folder: it must not have touched the lock.
  if (lock !== undefined && !lock.intact()) {
    await pglite.close()
    lock.release()
    throw new Error(`pglite: the lock of ${location} was replaced while the database opened; it was closed`)
  }
  log(`pglite: ${inMemory ? "in memory" : location} ready in ${Date.now() - started} ms`)
  // One client, never closed when idle: every client shares the adapter's one connection object.
  // Named statements live in the one session, as the adapter's connection object knows.
  const pool = new pg.Pool({
    ...createPgConfig(pglite),
    max: 1,
    idleTimeoutMillis: 0,
    ...(prepared ? { Client: preparingClient(new StatementNames()) } : {}),
  } as pg.PoolConfig)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  let closed = false

  // pglite.listen() runs LISTEN/UNLISTEN on the one session: hold the pool's client
  // meanwhile, or it would land inside (and roll back with) someone's open transaction.
  const exclusive = async <A>(run: () => Promise<A>): Promise<A> => {
    const client = await pool.connect()
    try {
      return await run()
    } finally {
      client.release()
    }
  }

  const wakes = waker((text) => pool.query(text), log)

  return {
    kind: "pglite",
    db,
    listen: async (channel, onNotify) => {
      assertChannel(channel)
      const unlisten = await exclusive(() => pglite.listen(channel, onNotify))
      return async () => {
        if (!closed) await exclusive(() => unlisten())
      }
    },
    wake: wakes.wake,
    close: async () => {
      if (closed) return
      await wakes.close()
      closed = true
      try {
        await db.destroy()
        await pglite.close()
      } finally {
        lock?.release()
      }
    },
    describe: inMemory ? "PGlite (in memory)" : `PGlite ${location}`,
  }
}
