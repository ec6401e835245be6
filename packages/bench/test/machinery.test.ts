import { fork } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { programNodeFlags } from "@liandong/engine/process"
import { postgresAvailable } from "@liandong/store/testing"
import pg from "pg"
import { describe, expect, it, vi } from "vitest"
import type { AuditOfflineFigures } from "../src/AuditOffline.ts"
import { inChild } from "../src/Bench.ts"
import { sourcePrograms } from "../src/Bundle.ts"
import type { Answer, Task } from "../src/Child.ts"
import { serverUrl } from "../src/Database.ts"

// The cheap part of the machinery `pnpm bench` stands on, kept in `pnpm test`: a part forked in
// a process of its own answers over IPC with its figures and progress. The whole run on a tiny
// nation (smoke.test.ts) and the CLI timings (cli-times.test.ts) take minutes: `pnpm test:bench`.
describe("a benchmark part in a child process", () => {
  it("verifies a short journal offline and sends its figures back", async () => {
    const lines: string[] = []
    const figures = await inChild<AuditOfflineFigures & { rssMb: number }>({ kind: "audit", rows: 300 }, (line) =>
      lines.push(line),
    )
    expect(figures).toMatchObject({ rows: 300, ok: true })
    expect(figures.rowsPerSecond).toBeGreaterThan(0)
    expect(figures.rssMb).toBeGreaterThan(0)
  }, 120_000)
})

const available = await postgresAvailable()

/** The processes whose parent is `pid` (Linux: /proc). */
const childrenOf = (pid: number) =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // The fields after the command's closing parenthesis: state, then the parent's pid.
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid
      } catch {
        return false
      }
    })
    .map(Number)

const alive = (pid: number) => existsSync(`/proc/${pid}`)

const databaseExists = async (name: string) => {
  const client = new pg.Client({ connectionString: serverUrl() })
  await client.connect()
  try {
    return (await client.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1
  } finally {
    await client.end()
  }
}

describe("a benchmark part left half-way", () => {
  it.skipIf(!available || !existsSync("/proc/self/stat"))(
    "drops its database and leaves no process behind when its parent goes away",
    async () => {
      const seed = 7
      const task: Task = {
        kind: "liandong",
        options: { database: "postgres", units: 40, seed, workers: 2, concurrency: 4 },
      }
      const part = fork(sourcePrograms.child, [JSON.stringify(task)], {
        stdio: ["ignore", "ignore", "inherit", "ipc"],
        execArgv: [...programNodeFlags],
        env: { ...process.env, BENCH_WORKER_PROGRAM: sourcePrograms.worker },
      })
      const exited = new Promise<number | null>((resolve) => part.on("exit", (code) => resolve(code)))
      // Its database is made and its two workers are running once it says it starts.
      await new Promise<void>((resolve, reject) => {
        part.on("message", (answer: Answer) => {
          if (answer.type === "progress" && answer.line.includes("starting")) resolve()
          if (answer.type !== "progress") reject(new Error(`the part ended first: ${answer.type}`))
        })
      })
      const name = `liandong_bench_${part.pid}_${seed}`
      expect(await databaseExists(name)).toBe(true)
      // Forked as it starts.
      const workers = await vi.waitFor(
        () => {
          const found = childrenOf(part.pid as number)
          expect(found).toHaveLength(2)
          return found
        },
        { timeout: 60_000, interval: 50 },
      )
      // As when the driver is killed: the channel closes.
      part.disconnect()
      expect(await exited).toBe(1)
      expect(await databaseExists(name)).toBe(false)
      await vi.waitFor(() => expect(workers.filter(alive)).toEqual([]), { timeout: 60_000, interval: 100 })
    },
    180_000,
  )
})
