/** A PostgreSQL server: a pg Pool under Kysely's PostgresDialect, LISTEN on its own connection. */
import { Kysely, PostgresDialect } from "kysely"
import pg from "pg"
import type { Database } from "../Database.ts"
import { checkDatabaseUrl } from "../Settings.ts"
import type { PostgresConnection, Store } from "../Store.ts"
import { assertChannel } from "./Channel.ts"
import { listenPostgres } from "./ListenPostgres.ts"
import { preparingClient, StatementNames } from "./PreparedStatements.ts"
import { waker } from "./Wake.ts"

/** The server, as a URL or as separate settings. */
export type PostgresTarget = { readonly url: string } | PostgresConnection

/** The URL without its password, for logs. */
const redact = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = "***"
    if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***")
    return parsed.toString()
  } catch {
    return "postgres (unparsable URL)"
  }
}

const sslOf = (mode: PostgresConnection["sslMode"]): pg.ClientConfig["ssl"] =>
  mode === "require" ? { rejectUnauthorized: false } : mode === "verify-full"

/**
 * What pg connects with. Separate settings go to pg as a config object, never through a
 * URL, so a password is taken as it is, whatever characters it holds.
 */
export const clientConfig = (target: PostgresTarget): pg.ClientConfig =>
  "url" in target
    ? { connectionString: target.url }
    : {
        host: target.host,
        port: target.port,
        database: target.database,
        user: target.user,
        password: target.password,
        ssl: sslOf(target.sslMode),
      }

/** Where the server is, for logs and messages: never the password. */
export const describeTarget = (target: PostgresTarget): string =>
  "url" in target
    ? redact(target.url)
    : `postgres://${encodeURIComponent(target.user)}@${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}/${encodeURIComponent(target.database)}`

/** Opens a pool of `size` connections to the server, sending repeated statements prepared unless told not to. */
export const openPostgres = async (
  target: PostgresTarget,
  options: { readonly size: number; readonly prepared: boolean },
  log: (message: string) => void,
): Promise<Store> => {
  if ("url" in target) checkDatabaseUrl(target.url, "databaseUrl")
  const config = clientConfig(target)
  const pool = new pg.Pool({
    ...config,
    max: options.size,
    ...(options.prepared ? { Client: preparingClient(new StatementNames()) } : {}),
  })
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
  const wakes = waker((text) => pool.query(text), log)
  return {
    kind: "postgres",
    db,
    listen: async (channel, onNotify) => {
      assertChannel(channel)
      return listenPostgres(config, channel, onNotify, log)
    },
    wake: wakes.wake,
    close: async () => {
      await wakes.close()
      await db.destroy()
    },
    describe: describeTarget(target),
  }
}
