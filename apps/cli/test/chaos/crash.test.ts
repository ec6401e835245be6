import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { openStore } from "@liandong/store"
import { createTestDatabase, postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"
import { crowdCampaign } from "./crowd.ts"

// Crash test: workers are killed with SIGKILL at random instants while a campaign runs,
// and restarted each time. Afterwards nothing is lost, nothing was applied twice, and the
// journal verifies. Small counts here; `pnpm test:chaos` runs the long version.
const units = Number(process.env.LIANDONG_CHAOS_UNITS ?? 40)
const kills = Number(process.env.LIANDONG_CHAOS_KILLS ?? 8)
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

const campaign = crowdCampaign("chaos-week", units, [
  { key: "preparation", day: 5 },
  { key: "publicity", day: 12 },
  { key: "enforcement", day: 19 },
])

describe.skipIf(!(await postgresAvailable()))("[postgres] workers killed at random instants", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let env: Record<string, string>
  beforeAll(async () => {
    database = await createTestDatabase()
    env = {
      DATABASE_URL: database.url,
      LIANDONG_KEY: join(await mkdtemp(join(tmpdir(), "liandong-chaos-")), "key.pem"),
    }
    const file = join(await mkdtemp(join(tmpdir(), "liandong-chaos-")), "chaos.json")
    await writeFile(file, JSON.stringify(campaign))
    for (const args of [
      ["db", "migrate"],
      ["deploy", file],
    ]) {
      const result = await liandong(args, env)
      expect(result.code, result.stderr).toBe(0)
    }
  })
  afterAll(async () => {
    await database?.drop()
  })

  it("lose nothing and apply nothing twice", async () => {
    const workers: ChildProcess[] = []
    const startWorker = () => {
      const child = spawn(process.execPath, [main, "worker", "--poll", "100"], {
        env: { ...process.env, ...env, LOG_LEVEL: "error" },
        stdio: "ignore",
      })
      workers.push(child)
      return child
    }
    startWorker()
    startWorker()
    // The campaign's dates are behind the real clock: once started, everything is due at once.
    const started = await liandong(["start", "chaos-week"], env)
    expect(started.code, started.stderr).toBe(0)
    let killed = 0
    const store = await openStore({ databaseUrl: database.url, poolSize: 2 })
    try {
      const status = async () =>
        (
          await store.db
            .selectFrom("campaigns")
            .select("status")
            .where("id", "=", "chaos-week")
            .executeTakeFirstOrThrow()
        ).status
      const deadline = Date.now() + 120_000
      while ((await status()) !== "closed" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 250))
        if (killed < kills) {
          const alive = workers.filter((w) => w.exitCode === null && w.signalCode === null)
          const victim = alive[Math.floor(Math.random() * alive.length)]
          if (victim !== undefined) {
            victim.kill("SIGKILL")
            killed++
            startWorker()
          }
        }
      }
      expect(await status()).toBe("closed")
      expect(killed).toBeGreaterThan(0)

      // Nothing lost: no queue item left behind, none given up on.
      const leftTimers = await store.db
        .selectFrom("timers")
        .select("status")
        .where("status", "in", ["pending", "dead"])
        .execute()
      const leftMessages = await store.db
        .selectFrom("messages")
        .select("status")
        .where("status", "in", ["pending", "dead"])
        .execute()
      expect(leftTimers).toEqual([])
      expect(leftMessages).toEqual([])
      // Nothing twice: every timer and message caused at most one journal row.
      const twice = await store.db
        .selectFrom("journal")
        .select(["cause", (eb) => eb.fn.countAll<string>().as("n")])
        .where("cause", "not in", ["command", "deploy", "denied"])
        .groupBy("cause")
        .having((eb) => eb.fn.countAll(), ">", 1)
        .execute()
      expect(twice).toEqual([])
      // Every unit went through every phase: reminded twice, overdue, closed.
      const tasks = await store.db.selectFrom("tasks").select(["reminded", "overdue", "status"]).execute()
      expect(tasks).toHaveLength(units * 3)
      expect(tasks.every((t) => t.reminded === 2 && t.overdue && t.status === "closed")).toBe(true)
    } finally {
      for (const worker of workers) worker.kill("SIGKILL")
      await store.close()
    }
    // Every stored snapshot equals the replay of its journal, and the chain verifies.
    const verified = await liandong(["audit", "verify", "chaos-week", "--json"], env)
    expect(verified.code, verified.stdout).toBe(0)
  }, 240_000)
})
