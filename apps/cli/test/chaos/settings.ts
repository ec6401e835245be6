/**
 * The chaos suite's sizes. `pnpm test` runs it small; `pnpm test:chaos` sets these for the
 * long run (see the README's Tests section).
 */
import { availableParallelism, loadavg } from "node:os"

const count = (name: string, small: number): number => {
  const text = process.env[name]
  if (text === undefined || text === "") return small
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${text}"`)
  return value
}

/** Units per campaign in the crash, duplicates, poison, clock and database-restart tests. */
export const chaosUnits = (): number => count("LIANDONG_CHAOS_UNITS", 40)

/** Worker processes killed with SIGKILL during the crash test. */
export const chaosKills = (): number => count("LIANDONG_CHAOS_KILLS", 8)

/** Units racing around one deadline in the races test. */
export const raceUnits = (): number => count("LIANDONG_CHAOS_RACE_UNITS", 200)

/**
 * How much longer than on an idle machine a schedule fixed in advance should allow: the load
 * per core now (at least 1, at most 6). A test that must set real deadlines before it knows how
 * fast the machine will go stretches its windows by this, instead of failing on a busy one.
 */
export const loadSlack = (): number =>
  Math.min(6, Math.max(1, Math.round(((loadavg()[0] ?? 0) / availableParallelism()) * 10) / 10))

/** Times the database server is restarted in the database-restart test. */
export const dbRestarts = (): number => count("LIANDONG_CHAOS_RESTARTS", 1)

/** How long a test may wait for its campaign to finish (ms): generous, it is a guard against hanging. */
export const patienceMs = (): number => count("LIANDONG_CHAOS_PATIENCE_MS", 180_000)

/** Prints what a chaos test did, one JSON line, so a long run's figures can be read off its output. */
export const tell = (test: string, figures: Record<string, number | string>): void => {
  console.log(`[chaos] ${test} ${JSON.stringify(figures)}`)
}
