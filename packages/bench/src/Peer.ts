/**
 * The peer, side by side on the same PostgreSQL server: graphile-worker with
 * one job per unit event, each job a one-row jsonb update plus one audit
 * insert. Jobs are added one by one by `concurrency` clients (as commands
 * arrive one by one) and worked by as many worker processes as Liandong had.
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Logger, makeWorkerUtils, runMigrations } from "graphile-worker"
import { Kysely, PostgresDialect } from "kysely"
import pg from "pg"
import { perEvent, startCpuMeter } from "./Cpu.ts"
import { createBenchDatabase } from "./Database.ts"
import type { FromPeerWorker } from "./PeerWorker.ts"
import { round1 } from "./Stats.ts"

/** What the peer measured. */
export interface PeerFigures {
  readonly jobs: number
  readonly seconds: number
  readonly eventsPerSecond: number
  /** CPU ms a job: the adding clients, the worker processes and the database's backends (Linux) */
  readonly cpuMsPerEvent: number | undefined
  /** of that, the database's backends */
  readonly postgresCpuMsPerEvent: number | undefined
  /** job added → its audit row's transaction (ms) */
  readonly reaction: { p50: number; p99: number }
  readonly audited: number
  readonly workers: number
  readonly rssMb: number[]
}

const entry = fileURLToPath(new URL("./PeerWorker.ts", import.meta.url))
const kinds = ["phase.open", "task.acknowledge", "task.remind", "task.submit", "task.deadline", "task.approve"]

/** Runs `jobs` unit events over `units` units through graphile-worker. */
export const runPeer = async (options: {
  jobs: number
  units: number
  workers: number
  concurrency: number
}): Promise<PeerFigures> => {
  const database = await createBenchDatabase("peer")
  const pool = new pg.Pool({ connectionString: database.url, max: options.concurrency + 2 })
  // Dropping the database at the end ends its connections: expected, not worth a word.
  pool.on("error", () => undefined)
  pool.on("connect", (client) => client.on("error", () => undefined))
  const children: ChildProcess[] = []
  try {
    await pool.query(`
      create table peer_units (key text primary key, state jsonb not null default '{}', version integer not null default 0);
      create table peer_audit (id bigserial primary key, unit_key text not null, event text not null,
        payload jsonb not null, recorded_at timestamptz not null default now());`)
    await pool.query("insert into peer_units (key) select 'unit-' || i from generate_series(0, $1::int - 1) i", [
      options.units,
    ])
    await runMigrations({ pgPool: pool, logger: new Logger(() => () => undefined) })
    const utils = await makeWorkerUtils({ pgPool: pool, logger: new Logger(() => () => undefined) })
    const answer = (child: ChildProcess, type: FromPeerWorker["type"]) =>
      new Promise<FromPeerWorker>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`a peer worker exited (${code})`)))
        const on = (message: FromPeerWorker) => {
          if (message.type !== type) return
          child.off("message", on)
          resolve(message)
        }
        child.on("message", on)
      })
    for (let i = 0; i < options.workers; i++) {
      children.push(
        fork(entry, [], {
          env: { ...process.env, DATABASE_URL: database.url, PEER_CONCURRENCY: "8" },
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        }),
      )
    }
    await Promise.all(children.map((child) => answer(child, "ready")))
    const started = performance.now()
    const cpu = await startCpuMeter({
      pids: () => children.flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
      db: new Kysely({ dialect: new PostgresDialect({ pool }) }),
    })
    let next = 0
    const producer = async () => {
      while (next < options.jobs) {
        const n = next++
        await utils.addJob("unit_event", {
          unit: `unit-${n % options.units}`,
          event: kinds[n % kinds.length],
          sentAt: Date.now(),
        })
      }
    }
    await Promise.all(Array.from({ length: options.concurrency }, producer))
    while (true) {
      const { rows } = await pool.query<{ n: string }>("select count(*) as n from peer_audit")
      if (Number(rows[0]?.n) >= options.jobs) break
      await new Promise((r) => setTimeout(r, 20))
    }
    const seconds = (performance.now() - started) / 1000
    const cpuMs = await cpu.read()
    const { rows } = await pool.query<{ p50: number; p99: number; audited: string }>(`
      select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99,
             count(*) as audited
      from (select extract(epoch from recorded_at) * 1000 - (payload->>'sentAt')::bigint as ms from peer_audit) t`)
    const stopped = await Promise.all(
      children.map((child) => {
        const done = answer(child, "stopped")
        child.send({ type: "stop" })
        return done
      }),
    )
    await utils.release()
    return {
      jobs: options.jobs,
      seconds: round1(seconds),
      eventsPerSecond: Math.round(options.jobs / seconds),
      cpuMsPerEvent: perEvent(cpuMs?.totalMs, options.jobs),
      postgresCpuMsPerEvent: perEvent(cpuMs?.postgresMs, options.jobs),
      reaction: { p50: round1(Number(rows[0]?.p50)), p99: round1(Number(rows[0]?.p99)) },
      audited: Number(rows[0]?.audited),
      workers: options.workers,
      rssMb: stopped.map((m) => (m.type === "stopped" ? Math.round(m.maxRssKb / 1024) : 0)),
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
    await pool.end()
    await database.drop()
  }
}
