/**
 * The server as an operator starts it on PostgreSQL with separate settings and the password
 * in a file — one no URL could hold as it is — answers /readyz on "postgres" and says
 * PostgreSQL in its banner.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createTestDatabase, postgresAvailable, testServerUrl } from "@liandong/store/testing"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { newKeyFile } from "./fixture.ts"

const main = join(import.meta.dirname, "..", "src", "main.ts")

describe.skipIf(!(await postgresAvailable()))("[postgres] a server from separate database settings", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let child: ChildProcess | undefined
  const role = `liandong_settings_${randomBytes(4).toString("hex")}`
  const password = `p@ss#1/${randomBytes(9).toString("base64")}+%:`

  const admin = async (statement: string, url = testServerUrl()) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    await admin(`create role ${pg.escapeIdentifier(role)} login password ${pg.escapeLiteral(password)}`)
    await admin(`grant all on schema public to ${pg.escapeIdentifier(role)}`, database.url)
  })

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) child.kill("SIGKILL")
    await database?.drop()
    await admin(`drop role if exists ${pg.escapeIdentifier(role)}`)
  })

  it("answers /readyz with database postgres", async () => {
    const url = new URL(database.url)
    const dir = await mkdtemp(join(tmpdir(), "liandong-settings-"))
    const passwordFile = join(dir, "db-password")
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
    child = spawn(process.execPath, [main], {
      cwd: dir,
      env: {
        ...process.env,
        DATABASE_URL: "",
        DATABASE_HOST: url.hostname,
        DATABASE_PORT: url.port || "5432",
        DATABASE_NAME: url.pathname.slice(1),
        DATABASE_USER: role,
        DATABASE_PASSWORD_FILE: passwordFile,
        LIANDONG_KEY: newKeyFile(),
        LIANDONG_WORKER: "off",
        LIANDONG_DATA: join(dir, "data"),
        PORT: "0",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let output = ""
    child.stderr?.on("data", (chunk) => {
      output += String(chunk)
    })
    const base = await new Promise<string>((resolve, reject) => {
      child?.stdout?.on("data", (chunk) => {
        output += String(chunk)
        const found = /http:\/\/127\.0\.0\.1:\d+/.exec(output)
        if (found !== null && output.includes("数据库 database:")) resolve(found[0])
      })
      child?.once("exit", (code) => reject(new Error(`the server exited with ${code}: ${output}`)))
    })
    expect(output).toContain("数据库 database: PostgreSQL")
    const response = await fetch(`${base}/readyz`)
    expect(await response.json()).toEqual({ status: "ready", database: "postgres" })
    expect(response.status).toBe(200)
    expect(output).not.toContain(password)
  }, 60_000)
})
