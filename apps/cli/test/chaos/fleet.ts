/**
 * Worker processes for the chaos tests: real `liandong worker` commands on a shared
 * PostgreSQL, started, killed with SIGKILL, replaced, and stopped cleanly at the end.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url))

/** A set of running workers. */
export interface Fleet {
  /** Workers alive now. */
  readonly alive: () => ChildProcess[]
  /** Starts one more worker. */
  readonly start: () => ChildProcess
  /** SIGKILLs one living worker at random and starts a replacement; false when none was alive. */
  readonly killOne: () => boolean
  /** Stops the living workers with SIGTERM and waits; their exit codes (0 is a clean stop). */
  readonly stop: () => Promise<Array<number | null>>
  /** The last lines each worker wrote to stderr, for a failing test's message. */
  readonly logs: () => string
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null || child.killed

/** Starts `count` workers (`liandong worker --poll pollMs`) with `env`. */
export const startFleet = (env: Record<string, string>, count: number, pollMs = 100): Fleet => {
  const workers: ChildProcess[] = []
  const stderr = new Map<ChildProcess, string>()
  const start = () => {
    const child = spawn(process.execPath, [main, "worker", "--poll", String(pollMs)], {
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    })
    stderr.set(child, "")
    child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      stderr.set(child, ((stderr.get(child) ?? "") + text).slice(-4000))
    })
    workers.push(child)
    return child
  }
  for (let i = 0; i < count; i++) start()
  const alive = () => workers.filter((w) => !exited(w))
  return {
    alive,
    start,
    killOne: () => {
      const living = alive()
      const victim = living[Math.floor(Math.random() * living.length)]
      if (victim === undefined) return false
      victim.kill("SIGKILL")
      start()
      return true
    },
    stop: () =>
      Promise.all(
        alive().map(
          (w) =>
            new Promise<number | null>((resolve) => {
              w.once("exit", (code) => resolve(code))
              w.kill("SIGTERM")
            }),
        ),
      ),
    logs: () =>
      workers
        .map((w, i) => `worker ${i} (pid ${w.pid}, exit ${w.exitCode ?? w.signalCode ?? "running"}):\n${stderr.get(w)}`)
        .join("\n"),
  }
}

/** Polls `check` until it holds or `timeoutMs` passes; false on timeout. A check that throws (the database away) counts as not yet. */
export const eventually = async (check: () => Promise<boolean>, timeoutMs: number, everyMs = 200) => {
  const holds = () => check().catch(() => false)
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await holds()) return true
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return holds()
}
