import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { gunzipSync } from "node:zlib"
import { createTestDatabase, postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"
import { psql } from "./postgres-tools.ts"

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url))

interface Verdict {
  readonly ok: boolean
  readonly rows: number
  readonly checkpoints: number
  readonly uncovered: number
  readonly findings: ReadonlyArray<{ readonly en: string }>
}

const available = await postgresAvailable()

// The tested upgrade: a database the previous release (d6268ec, schema up to 0007) made, its
// tour campaign in mid-flight — publicity closed with one unit approved and one left waiting,
// summary open with one task acknowledged, three signed checkpoints, a refused attempt — is
// migrated by this release and must verify as it stands, then go on to its close and verify
// again. `fixtures/make-previous-release.sh` regenerates the fixture.
describe.skipIf(!available)("upgrading a database the previous release made", () => {
  let database: { url: string; drop: () => Promise<void> }
  let dir: string
  let env: Record<string, string>
  let migrated: Verdict
  const run = async (...args: string[]) => {
    const result = await liandong(args, env)
    expect(result.code, `liandong ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0)
    return result.stdout
  }
  const verify = async () => JSON.parse(await run("audit", "verify", "tour-2026", "--as", "audit", "--json")) as Verdict

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-upgrade-"))
    database = await createTestDatabase()
    const dump = join(dir, "previous-release.sql")
    await writeFile(dump, gunzipSync(await readFile(join(fixtures, "previous-release.sql.gz"))))
    await psql(database.url, `\\i ${dump}`)
    // The deployment keeps its key across the upgrade: the one that signed the old checkpoints.
    const keyPath = join(dir, "checkpoint-ed25519.pem")
    await writeFile(keyPath, await readFile(join(fixtures, "previous-release-key.pem")), { mode: 0o600 })
    env = { DATABASE_URL: database.url, LIANDONG_KEY: keyPath }
  }, 120_000)

  afterAll(async () => {
    await database?.drop()
    await rm(dir, { recursive: true, force: true })
  })

  it("migrates from 0007 and enrols the key that signed the old checkpoints", async () => {
    expect(await psql(database.url, "select max(name) from kysely_migration")).toBe("0007_journal_append")
    const output = await run("db", "migrate")
    expect(output).toContain("0008_accountable_record, 0009_campaign_units, 0010_least_privilege, 0011_denial_windows")
    expect(output).toContain("joined the key ring")
    expect(await run("db", "migrate")).toContain("database is up to date")
  })

  it("verifies the journal the previous release wrote, its checkpoints and every machine's replay", async () => {
    migrated = await verify()
    expect(migrated.findings).toEqual([])
    expect(migrated).toMatchObject({ ok: true, rows: 22, checkpoints: 3, uncovered: 5 })
  })

  it("carries the campaign on with this release to its close, and verifies the whole record again", async () => {
    const wrapUp = (unit: string) => `tour-2026/${unit}/wrap-up`
    await run("report", wrapUp("east-district"), "--as", "east", "--now", "2026-04-29T10:00+08:00", "--text", "总结")
    await run(
      "return",
      wrapUp("east-district"),
      "--as",
      "lead",
      "--now",
      "2026-04-29T15:00+08:00",
      "--reason",
      "请补充",
    )
    await run(
      "report",
      wrapUp("east-district"),
      "--as",
      "east",
      "--now",
      "2026-04-30T10:00+08:00",
      "--text",
      "总结(补充)",
    )
    await run("approve", wrapUp("east-district"), "--as", "lead", "--now", "2026-04-30T15:00+08:00")
    await run("ack", wrapUp("west-district"), "--as", "west", "--now", "2026-05-02T10:00+08:00")
    await run("report", wrapUp("west-district"), "--as", "west", "--now", "2026-05-06T10:00+08:00", "--text", "总结")
    await run("approve", wrapUp("west-district"), "--as", "lead", "--now", "2026-05-07T09:00+08:00")
    // A refusal under this release: journaled in the old chain, counted in the new denials table.
    const refused = await liandong(["audit", "checkpoint", "tour-2026", "--as", "east"], env)
    expect(refused.code).toBe(1)
    await run("worker", "--until-idle", "--now", "2026-05-11T00:00+08:00")

    const status = JSON.parse(await run("status", "tour-2026", "--json")) as { status: string }
    expect(status.status).toBe("closed")
    // The summary counts the report the previous release approved (east's second, 1250).
    expect(await run("summary", "tour-2026")).toContain("1250")
    const closed = await verify()
    expect(closed.findings).toEqual([])
    expect(closed.ok).toBe(true)
    expect(closed.rows).toBeGreaterThan(migrated.rows)
    expect(closed.checkpoints).toBeGreaterThan(migrated.checkpoints)
    // What this release wrote carries its content: only the old rows stay uncovered.
    expect(closed.uncovered).toBe(migrated.uncovered)
  })
})
