import { randomBytes } from "node:crypto"
import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { tour } from "@liandong/campaigns"
import { createTestDatabase, postgresAvailable, testServerUrl } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"
import { newKeyFile, psql } from "./postgres-tools.ts"

/** The tables in a database's public schema. */
const tablesIn = async (url: string) =>
  Number(await psql(url, "select count(*) from pg_tables where schemaname = 'public'"))

const journalLength = async (url: string) =>
  Number(await psql(url, "select journal_seq from campaigns where id = 'tour-2026'"))

/** The name of a test database, from its URL. */
const nameOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1))

interface Manifest {
  readonly database: { readonly schemaVersion: string; readonly dump: string }
  readonly campaigns: ReadonlyArray<{ id: string; journalLength: number; journalHead: string }>
  readonly keys: { readonly file: string; readonly keyId: string }
  readonly files: Readonly<Record<string, string>>
}

const available = await postgresAvailable()

// Backup and restore on a real server with the real pg_dump and pg_restore: a campaign in
// mid-flight is backed up, its database dropped and made again empty, restored, verified — and
// the campaign goes on where it was, the journal growing on the restored chain.
describe.skipIf(!available)("backup and restore on PostgreSQL", () => {
  let database: { url: string; drop: () => Promise<void> }
  let spare: { url: string; drop: () => Promise<void> } | undefined
  /** Roles and a database made for the documented sequence, dropped after. */
  const suffix = randomBytes(4).toString("hex")
  const owner = `liandong_test_owner_${suffix}`
  const app = `liandong_test_app_${suffix}`
  const ownedDatabase = `liandong_test_owned_${suffix}`
  let dir: string
  let keyPath: string
  let env: Record<string, string>
  const backupDir = () => join(dir, "backup")
  const run = async (...args: string[]) => {
    const result = await liandong(args, env)
    expect(result.code, `liandong ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0)
    return result.stdout
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-backup-"))
    database = await createTestDatabase()
    keyPath = await newKeyFile(join(dir, "keys"))
    env = { DATABASE_URL: database.url, LIANDONG_KEY: keyPath }
    const file = join(dir, "tour.json")
    await writeFile(file, JSON.stringify(tour))
    await run("db", "migrate")
    await run("deploy", file)
    await run("principal", "add", "lead", "--name", "局长", "--role", "coordinator", "--unit", "city-ipo")
    await run("principal", "add", "east", "--name", "东区", "--role", "unit", "--unit", "east-district")
    await run("principal", "add", "west", "--name", "西区", "--role", "unit", "--unit", "west-district")
    await run("principal", "add", "audit", "--name", "审计", "--role", "auditor")
    await run("start", "tour-2026", "--as", "lead", "--now", "2026-04-12T09:00+08:00")
    await run("worker", "--until-idle", "--now", "2026-04-13T09:00+08:00")
    const brochures = (unit: string) => `tour-2026/${unit}/brochures`
    await run("ack", brochures("east-district"), "--as", "east", "--now", "2026-04-13T10:00+08:00")
    await run(
      "report",
      brochures("east-district"),
      "--as",
      "east",
      "--now",
      "2026-04-14T16:00+08:00",
      "--figure",
      "brochures=1200",
      "--text",
      "在区政务中心发放",
    )
    await run("approve", brochures("east-district"), "--as", "lead", "--now", "2026-04-15T09:00+08:00")
    await run("ack", brochures("west-district"), "--as", "west", "--now", "2026-04-15T10:00+08:00")
    await run(
      "report",
      brochures("west-district"),
      "--as",
      "west",
      "--now",
      "2026-04-16T10:00+08:00",
      "--figure",
      "brochures=800",
      "--text",
      "在社区发放",
    )
    await run("audit", "checkpoint", "tour-2026", "--as", "lead", "--now", "2026-04-16T11:00+08:00")
  }, 300_000)

  afterAll(async () => {
    await database?.drop()
    await spare?.drop()
    await psql(testServerUrl(), `drop database if exists ${ownedDatabase} with (force)`)
    await psql(testServerUrl(), `drop role if exists ${app}`)
    await psql(testServerUrl(), `drop role if exists ${owner}`)
    await rm(dir, { recursive: true, force: true })
  })

  it("writes the dump, the key (0600) and a manifest naming the campaign's journal head", async () => {
    const length = await journalLength(database.url)
    const head = await psql(database.url, "select journal_head from campaigns where id = 'tour-2026'")
    await run("backup", "--out", backupDir())
    const manifest = JSON.parse(await readFile(join(backupDir(), "manifest.json"), "utf8")) as Manifest
    expect(manifest.campaigns).toEqual([
      expect.objectContaining({ id: "tour-2026", journalLength: length, journalHead: head }),
    ])
    expect(manifest.database.schemaVersion).toBe(await psql(database.url, "select max(name) from kysely_migration"))
    expect(Object.keys(manifest.files).sort()).toEqual([manifest.database.dump, manifest.keys.file].sort())
    expect((await stat(join(backupDir(), manifest.keys.file))).mode & 0o777).toBe(0o600)
    expect(await readFile(join(backupDir(), manifest.keys.file), "utf8")).toBe(await readFile(keyPath, "utf8"))

    const again = await liandong(["backup", "--out", backupDir()], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("not empty")
  })

  it("refuses a dump changed by one byte before writing anything", async () => {
    spare = await createTestDatabase()
    const tampered = join(dir, "tampered")
    await cp(backupDir(), tampered, { recursive: true })
    const dump = join(tampered, "database.dump")
    const bytes = await readFile(dump)
    const at = Math.floor(bytes.length / 2)
    bytes[at] = (bytes[at] ?? 0) ^ 0x01
    await writeFile(dump, bytes)
    const absentKey = join(dir, "absent", "key.pem")
    const result = await liandong(["restore", "--from", tampered], {
      DATABASE_URL: spare.url,
      LIANDONG_KEY: absentKey,
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("database.dump does not match the manifest's SHA-256")
    expect(await tablesIn(spare.url)).toBe(0)
    await expect(stat(absentKey)).rejects.toThrow()
  })

  it("refuses a key file that holds another key unless --keep-key, and then restores", async () => {
    if (spare === undefined) throw new Error("the previous test makes the spare database")
    const otherKey = await newKeyFile(join(dir, "other"))
    const refused = await liandong(["restore", "--from", backupDir()], {
      DATABASE_URL: spare.url,
      LIANDONG_KEY: otherKey,
    })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("--keep-key")
    expect(await tablesIn(spare.url)).toBe(0)

    const kept = await liandong(["restore", "--from", backupDir(), "--keep-key"], {
      DATABASE_URL: spare.url,
      LIANDONG_KEY: otherKey,
    })
    expect(kept.code, kept.stderr).toBe(0)
    expect(kept.stdout).toContain("verified: every campaign's journal is as backed up")
    // The kept key signs from now on, beside the backup's in the ring.
    const env = { DATABASE_URL: spare.url, LIANDONG_KEY: otherKey }
    const checkpoint = await liandong(["audit", "checkpoint", "tour-2026", "--now", "2026-04-16T12:00+08:00"], env)
    expect(checkpoint.code, checkpoint.stderr).toBe(0)
    const verified = await liandong(["audit", "verify", "tour-2026", "--as", "audit"], env)
    expect(verified.code, verified.stdout).toBe(0)
  })

  it("restores into the database dropped and made again, puts the key back, and the campaign goes on", async () => {
    const backedUp = await journalLength(database.url)
    const name = nameOf(database.url)
    await psql(testServerUrl(), `drop database "${name}" with (force)`)
    await psql(testServerUrl(), `create database "${name}"`)
    await rm(keyPath)

    const restored = await liandong(["restore", "--from", backupDir()], env)
    expect(restored.code, `${restored.stdout}\n${restored.stderr}`).toBe(0)
    expect(restored.stdout).toContain("verified: every campaign's journal is as backed up")
    expect(restored.stdout).toContain(`written to ${keyPath}`)
    expect(await readFile(keyPath, "utf8")).toBe(
      await readFile(join(backupDir(), "keys", "checkpoint-ed25519.pem"), "utf8"),
    )
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600)
    expect(await journalLength(database.url)).toBe(backedUp)
    expect(JSON.parse(await run("audit", "verify", "tour-2026", "--as", "audit", "--json"))).toMatchObject({
      ok: true,
      rows: backedUp,
    })

    // The campaign continues: a review, the publicity phase's close and the summary phase's opening
    // (the worker's phase gates), a unit acknowledging, reporting and approved, then the summary.
    await run("approve", "tour-2026/west-district/brochures", "--as", "lead", "--now", "2026-04-17T09:00+08:00")
    await run("worker", "--until-idle", "--now", "2026-04-28T09:00+08:00")
    const wrapUp = "tour-2026/east-district/wrap-up"
    await run("ack", wrapUp, "--as", "east", "--now", "2026-04-28T10:00+08:00")
    await run("report", wrapUp, "--as", "east", "--now", "2026-04-29T10:00+08:00", "--text", "活动总结")
    await run("approve", wrapUp, "--as", "lead", "--now", "2026-04-30T10:00+08:00")
    await run("worker", "--until-idle", "--now", "2026-05-11T00:00+08:00")
    const status = JSON.parse(await run("status", "tour-2026", "--json")) as { status: string }
    expect(status.status).toBe("closed")
    const summary = await run("summary", "tour-2026")
    expect(summary).toContain("2000")

    const verdict = JSON.parse(await run("audit", "verify", "tour-2026", "--as", "audit", "--json")) as {
      ok: boolean
      rows: number
      checkpoints: number
    }
    expect(verdict.ok).toBe(true)
    expect(verdict.rows).toBeGreaterThan(backedUp)
    expect(verdict.checkpoints).toBeGreaterThanOrEqual(3)
  })

  it("refuses to restore into a database that is not empty, and leaves it as it was", async () => {
    const before = await journalLength(database.url)
    const result = await liandong(["restore", "--from", backupDir()], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("the target database is not empty")
    expect(await journalLength(database.url)).toBe(before)
  })

  it("restores as the schema's owner, not a superuser; db roles then gives the application role its rights", async () => {
    // The DBA's part (docs/deploy.md, "Database roles"): two roles, an empty database the owner owns.
    for (const statement of [
      `create role ${owner} login`,
      `create role ${app} login`,
      `create database ${ownedDatabase} owner ${owner}`,
      `revoke all on database ${ownedDatabase} from public`,
    ])
      await psql(testServerUrl(), statement)
    const as = (role: string) => {
      const url = new URL(testServerUrl())
      url.username = role
      url.pathname = `/${ownedDatabase}`
      return { DATABASE_URL: url.toString(), LIANDONG_KEY: keyPath }
    }
    const restored = await liandong(["restore", "--from", backupDir()], as(owner))
    expect(restored.code, `${restored.stdout}\n${restored.stderr}`).toBe(0)
    expect(
      await psql(as(owner).DATABASE_URL, "select distinct tableowner from pg_tables where schemaname = 'public'"),
    ).toBe(owner)
    // Until db roles, the application role can read nothing.
    const before = await liandong(["status", "tour-2026", "--as", "lead"], as(app))
    expect(before.code).toBe(1)
    const granted = await liandong(["db", "roles", "--app-role", app], as(owner))
    expect(granted.code, granted.stderr).toBe(0)
    // The servers' and workers' role carries the campaign on and the record verifies.
    const approved = await liandong(
      ["approve", "tour-2026/west-district/brochures", "--as", "lead", "--now", "2026-04-17T09:00+08:00"],
      as(app),
    )
    expect(approved.code, approved.stderr).toBe(0)
    const worked = await liandong(["worker", "--until-idle", "--now", "2026-04-28T09:00+08:00"], as(app))
    expect(worked.code, worked.stderr).toBe(0)
    const verified = await liandong(["audit", "verify", "tour-2026", "--as", "audit", "--json"], as(app))
    expect(verified.code, verified.stdout).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true })
  })
})
