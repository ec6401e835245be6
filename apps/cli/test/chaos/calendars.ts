/** Calendar workers (calendar.ts) the clock test moves together through simulated time. */
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { WorkerTally } from "@liandong/engine/worker"

const script = fileURLToPath(new URL("./calendar.ts", import.meta.url))

/** Starts `count` calendar workers on the database; `advance(at)` moves them all there at once. */
export const startCalendars = (databaseUrl: string, keyFile: string, count: number) => {
  const workers = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [script, databaseUrl, keyFile], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, LOG_LEVEL: "warn" },
    })
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    return { child, lines }
  })
  return {
    /** Every worker applies what is due at `at`; their tallies. */
    advance: (at: Date) =>
      Promise.all(
        workers.map(async ({ child, lines }) => {
          child.stdin.write(`${at.toISOString()}\n`)
          const next = await lines.next()
          if (next.done) throw new Error(`calendar worker ${child.pid} ended (exit ${child.exitCode})`)
          return JSON.parse(next.value) as WorkerTally & { at: string }
        }),
      ),
    /** Ends the workers; their exit codes. */
    stop: () =>
      Promise.all(
        workers.map(
          ({ child }) =>
            new Promise<number | null>((resolve) => {
              if (child.exitCode !== null) return resolve(child.exitCode)
              child.once("exit", (code) => resolve(code))
              child.stdin.end()
            }),
        ),
      ),
  }
}
