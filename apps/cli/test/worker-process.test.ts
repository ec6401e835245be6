import { spawn } from "node:child_process"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { createTestDatabase, postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong, testKeyFile } from "./cli.ts"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

// A long-running worker on the real clock: woken by NOTIFY (its poll is set to a minute, so
// only a notification can wake it in time), and stopped cleanly by SIGTERM.
describe.skipIf(!(await postgresAvailable()))("[postgres] a running worker", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let env: Record<string, string>
  beforeAll(async () => {
    database = await createTestDatabase()
    env = { DATABASE_URL: database.url, LIANDONG_KEY: testKeyFile() }
    const { tour } = await import("@liandong/campaigns")
    const dir = await mkdtemp(join(tmpdir(), "liandong-worker-"))
    const file = join(dir, "tour.json")
    // The tour's dates are in the past of the real clock: once started, everything is due.
    await writeFile(file, JSON.stringify(tour))
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

  it("wakes on NOTIFY, runs the campaign through, and stops on SIGTERM", async () => {
    const worker = spawn(process.execPath, [main, "worker", "--poll", "60000"], {
      env: { ...process.env, ...env, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let log = ""
    worker.stderr.on("data", (chunk) => {
      log += String(chunk)
    })
    const exited = new Promise<number | null>((resolve) => worker.on("exit", (code) => resolve(code)))
    try {
      for (let i = 0; i < 100 && !log.includes("worker started"); i++) await new Promise((r) => setTimeout(r, 100))
      expect(log).toContain("worker started")
      await new Promise((r) => setTimeout(r, 500))
      const started = await liandong(["start", "tour-2026"], env)
      expect(started.code, started.stderr).toBe(0)
      let status = ""
      for (let i = 0; i < 60 && status !== "closed"; i++) {
        await new Promise((r) => setTimeout(r, 250))
        const result = await liandong(["status", "tour-2026", "--json"], env)
        status = (JSON.parse(result.stdout) as { status: string }).status
      }
      expect(status).toBe("closed")
      expect(worker.exitCode).toBeNull()
    } finally {
      worker.kill("SIGTERM")
    }
    expect(await exited).toBe(0)
    expect(log).not.toMatch(/"level":(50|60)/u)
  }, 60_000)
})
