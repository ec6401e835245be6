/** The benchmark's own PostgreSQL database: created for a run, dropped after it. */
import { storeOptionsFromEnv } from "@liandong/store"
import pg from "pg"

/** The server the benchmark uses: BENCH_DATABASE_URL, else the local one. */
export const serverUrl = (): string => process.env.BENCH_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/postgres"

// The databases this process created and has not dropped yet, each with its drop.
const undropped = new Map<string, () => Promise<void>>()

/** Drops every database this process created and has not dropped (a part stopped half-way). */
export const dropBenchDatabases = async (): Promise<void> => {
  for (const drop of [...undropped.values()]) await drop()
}

/**
 * Creates `liandong_bench_<pid>_<suffix>` on the server; `drop()` removes it (connections
 * included), unless `BENCH_KEEP_DATABASE=1`.
 */
export const createBenchDatabase = async (suffix: string): Promise<{ url: string; drop: () => Promise<void> }> => {
  const name = `liandong_bench_${process.pid}_${suffix}`
  const admin = async <A>(run: (client: pg.Client) => Promise<A>) => {
    const client = new pg.Client({ connectionString: serverUrl() })
    await client.connect()
    try {
      return await run(client)
    } finally {
      await client.end()
    }
  }
  await admin(async (client) => {
    await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`)
    await client.query(`create database ${pg.escapeIdentifier(name)}`)
  })
  const url = new URL(serverUrl())
  url.pathname = `/${name}`
  const drop = async () => {
    undropped.delete(name)
    // For a look at the plans afterwards (docs/performance.md): the database stays, named on stderr.
    if (process.env.BENCH_KEEP_DATABASE === "1") {
      process.stderr.write(`bench: kept database ${name}\n`)
      return
    }
    await admin((client) => client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`))
  }
  undropped.set(name, drop)
  return { url: url.toString(), drop }
}

/** Whether the run's stores prepare their statements: `DATABASE_PREPARED_STATEMENTS`, as in a deployment. */
export const preparedStatementsFromEnv = (): boolean | undefined =>
  storeOptionsFromEnv({ DATABASE_PREPARED_STATEMENTS: process.env.DATABASE_PREPARED_STATEMENTS }).preparedStatements
