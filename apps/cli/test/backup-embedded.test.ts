import { type ChildProcess, spawn } from "node:child_process"
import { cp, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { tour } from "@liandong/campaigns"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"
import { newKeyFile } from "./postgres-tools.ts"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

interface Manifest {
  readonly database: { readonly kind: string; readonly dump: string }
  readonly campaigns: ReadonlyArray<{ id: string; journalLength: number }>
  readonly keys: { readonly file: string }
  readonly files: Readonly<Record<string, string>>
}

const until = async (condition: () => Promise<boolean>, what: string) => {
  for (let waited = 0; waited < 120_000; waited += 100) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`waited two minutes for ${what}`)
}

// The embedded database is backed up as its folder, copied while the backup holds the folder's
// lock (so no server writes meanwhile), and restored into an absent folder; the campaign goes on.
describe("backup and restore of the embedded database", () => {
  let dir: string
  let env: Record<string, string>
  let worker: ChildProcess | undefined
  const dataDir = () => join(dir, "data")
  const backupDir = () => join(dir, "backup")
  const run = async (...args: string[]) => {
    const result = await liandong(args, env)
    expect(result.code, `liandong ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0)
    return result.stdout
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-backup-embedded-"))
    env = { LIANDONG_DATA: dataDir(), LIANDONG_KEY: await newKeyFile(join(dir, "keys")), DATABASE_URL: "" }
    const file = join(dir, "tour.json")
    await writeFile(file, JSON.stringify(tour))
    await run("deploy", file)
    await run("principal", "add", "lead", "--name", "局长", "--role", "coordinator", "--unit", "city-ipo")
    await run("principal", "add", "east", "--name", "东区", "--role", "unit", "--unit", "east-district")
    await run("start", "tour-2026", "--as", "lead", "--now", "2026-04-12T09:00+08:00")
    await run("worker", "--until-idle", "--now", "2026-04-13T09:00+08:00")
    const brochures = "tour-2026/east-district/brochures"
    await run("ack", brochures, "--as", "east", "--now", "2026-04-13T10:00+08:00")
    await run(
      "report",
      brochures,
      "--as",
      "east",
      "--now",
      "2026-04-14T16:00+08:00",
      "--figure",
      "brochures=1200",
      "--text",
      "发放",
    )
  }, 300_000)

  afterAll(async () => {
    worker?.kill("SIGKILL")
    await rm(dir, { recursive: true, force: true })
  })

  it("is refused while another process holds the folder, naming it", async () => {
    worker = spawn(process.execPath, [main, "worker"], {
      // The campaign clock stays where the test left it: the worker must not run the calendar on.
      env: { ...process.env, ...env, LOG_LEVEL: "warn", LIANDONG_NOW: "2026-04-14T17:00+08:00" },
      stdio: "ignore",
    })
    const exited = new Promise((resolve) => worker?.once("exit", resolve))
    await until(
      () =>
        readFile(join(dataDir(), "liandong.lock"), "utf8").then(
          (text) => text.includes(`"pid":${worker?.pid}`),
          () => false,
        ),
      "the worker to hold the folder",
    )
    const refused = await liandong(["backup", "--out", backupDir()], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`held by process ${worker.pid}`)
    await expect(stat(backupDir())).rejects.toThrow()
    worker.kill("SIGTERM")
    await exited
    worker = undefined
  })

  it("copies the folder and the key, hashing every file", async () => {
    await run("backup", "--out", backupDir())
    const manifest = JSON.parse(await readFile(join(backupDir(), "manifest.json"), "utf8")) as Manifest
    expect(manifest.database).toMatchObject({ kind: "pglite", dump: "data" })
    expect(manifest.campaigns).toEqual([expect.objectContaining({ id: "tour-2026" })])
    const files = Object.keys(manifest.files)
    expect(files).toContain(manifest.keys.file)
    expect(files.filter((name) => name.startsWith("data/")).length).toBeGreaterThan(10)
    expect(files.some((name) => name.includes("liandong.lock"))).toBe(false)
  })

  it("refuses a changed data file before writing anything", async () => {
    const tampered = join(dir, "tampered")
    await cp(backupDir(), tampered, { recursive: true })
    const manifest = JSON.parse(await readFile(join(tampered, "manifest.json"), "utf8")) as Manifest
    const victim = Object.keys(manifest.files).find((name) => name.startsWith("data/base/")) as string
    const bytes = await readFile(join(tampered, victim))
    bytes[0] = (bytes[0] ?? 0) ^ 0x01
    await writeFile(join(tampered, victim), bytes)
    const elsewhere = join(dir, "elsewhere")
    const result = await liandong(["restore", "--from", tampered], { ...env, LIANDONG_DATA: elsewhere })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${victim} does not match the manifest's SHA-256`)
    await expect(stat(elsewhere)).rejects.toThrow()
  })

  it("restores into an absent folder, puts the key back, and the campaign goes on", async () => {
    const refused = await liandong(["restore", "--from", backupDir()], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("is not empty")

    await rename(dataDir(), join(dir, "data.old"))
    await rm(env.LIANDONG_KEY as string)
    const restored = await run("restore", "--from", backupDir())
    expect(restored).toContain("verified: every campaign's journal is as backed up")
    expect((await stat(env.LIANDONG_KEY as string)).mode & 0o777).toBe(0o600)

    await run("approve", "tour-2026/east-district/brochures", "--as", "lead", "--now", "2026-04-15T09:00+08:00")
    await run("worker", "--until-idle", "--now", "2026-05-11T00:00+08:00")
    const status = JSON.parse(await run("status", "tour-2026", "--json")) as { status: string }
    expect(status.status).toBe("closed")
    const manifest = JSON.parse(await readFile(join(backupDir(), "manifest.json"), "utf8")) as Manifest
    const verdict = JSON.parse(await run("audit", "verify", "tour-2026", "--json")) as { ok: boolean; rows: number }
    expect(verdict.ok).toBe(true)
    expect(verdict.rows).toBeGreaterThan(manifest.campaigns[0]?.journalLength ?? Number.POSITIVE_INFINITY)
  })
})
