/**
 * CPU time a run spends, summed over every process doing its work: this one, its worker
 * processes, and the PostgreSQL backends serving its database. On a shared machine events
 * per second move with whatever else runs; CPU time per event barely does, so it compares
 * runs (and Liandong with the peer) more fairly. Read from /proc: Linux only, absent elsewhere.
 */
import { existsSync, readFileSync } from "node:fs"
import { type Kysely, sql } from "kysely"

/** Clock ticks a second of /proc's times (USER_HZ, 100 on every Linux build in use). */
const ticksPerSecond = 100

/** CPU time (user + system, ms) a process has used so far; 0 once it is gone. */
export const processCpuMs = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The fields after the command name, which may hold spaces: state is the first, utime the 12th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
  } catch {
    return 0
  }
}

/** The processes of the backends connected to the database of `db`. */
const backends = async (db: Kysely<any>): Promise<number[]> => {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database()`.execute(db)
  return rows.map((row) => row.pid)
}

/** CPU ms spent since a meter started: in all, and the database's backends' share of it. */
export interface CpuSpent {
  readonly totalMs: number
  readonly postgresMs: number
}

/** A meter started now; `read()` gives the CPU ms spent since, or undefined where /proc is not there. */
export const startCpuMeter = async (options: {
  readonly pids: () => ReadonlyArray<number>
  readonly db?: Kysely<any>
}) => {
  if (!existsSync("/proc/self/stat")) return { read: async (): Promise<CpuSpent | undefined> => undefined }
  const own = process.cpuUsage()
  const base = new Map<number, number>()
  for (const pid of options.pids()) base.set(pid, processCpuMs(pid))
  if (options.db !== undefined) for (const pid of await backends(options.db)) base.set(pid, processCpuMs(pid))
  return {
    read: async (): Promise<CpuSpent | undefined> => {
      const spent = process.cpuUsage(own)
      let nodeMs = (spent.user + spent.system) / 1000
      for (const pid of new Set(options.pids())) nodeMs += processCpuMs(pid) - (base.get(pid) ?? 0)
      let postgresMs = 0
      // A backend that connected meanwhile counts from zero; one that left is lost (pools keep theirs).
      if (options.db !== undefined)
        for (const pid of new Set(await backends(options.db))) postgresMs += processCpuMs(pid) - (base.get(pid) ?? 0)
      return { totalMs: nodeMs + postgresMs, postgresMs }
    },
  }
}

/** CPU ms an event, to two decimals; undefined when not measured. */
export const perEvent = (ms: number | undefined, events: number): number | undefined =>
  ms === undefined || events === 0 ? undefined : Math.round((ms / events) * 100) / 100
