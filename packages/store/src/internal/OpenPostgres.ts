/** A PostgreSQL server: a pg Pool under Kysely's PostgresDialect, LISTEN on its own connection. */
import { Kysely, PostgresDialect } from "kysely"
import pg from "pg"
import type { Database } from "../Database.ts"
import type { Store } from "../Store.ts"
import { assertChannel } from "./Channel.ts"
import { listenPostgres } from "./ListenPostgres.ts"

/** The URL without its password, for logs. */
const redact = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = "***"
    return parsed.toString()
  } catch {
    return "postgres (unparsable URL)"
  }
}

/** Opens a pool of `poolSize` connections to `url`. */
export const openPostgres = async (url: string, poolSize: number, log: (message: string) => void): Promise<Store> => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  pool.on("error", (error) => {
    // An idle connection was lost; the pool opens a new one when next needed.
    log(`postgres: idle connection lost (${error.message})`)
  })
  // The pool listens for errors only on idle connections. One lost while checked out between
  // two statements (a transaction computing its next step when the server restarts) would
  // raise an 'error' nobody handles and end the process; heard here, the next statement on it
  // fails instead, the transaction is rolled back, and the pool drops the connection.
  pool.on("connect", (client) => {
    client.on("error", (error) => log(`postgres: connection lost (${error.message})`))
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return {
    kind: "postgres",
    db,
    listen: async (channel, onNotify) => {
      assertChannel(channel)
      return listenPostgres(url, channel, onNotify, log)
    },
    close: () => db.destroy(),
    describe: redact(url),
  }
}
