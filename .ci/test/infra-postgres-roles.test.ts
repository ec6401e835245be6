/**
 * infra/postgres-init/10-liandong-roles.sh against the real PostgreSQL (LIANDONG_TEST_PG_URL, else
 * 127.0.0.1:5432), under role and database names of its own: the passwords, read from files with
 * characters a URL or a shell would break on, are the ones PostgreSQL stores. The test server
 * trusts local connections, so the stored SCRAM verifier is what proves each password.
 */
import { execFile } from "node:child_process"
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const script = fileURLToPath(new URL("../../infra/postgres-init/10-liandong-roles.sh", import.meta.url))
const server = new URL(process.env.LIANDONG_TEST_PG_URL ?? "postgres://root@127.0.0.1:5432/postgres")
const required = process.env.LIANDONG_TEST_PG === "required"

const suffix = randomBytes(5).toString("hex")
const names = {
  owner: `liandong_test_owner_${suffix}`,
  app: `liandong_test_app_${suffix}`,
  database: `liandong_test_roles_${suffix}`,
}
const passwords = {
  owner: `owner/+@#'"\\ ${suffix}`,
  app: `app/+@#'"$(x) ${suffix}`,
}

/** Runs a command; never throws: the exit code, stdout and stderr. */
const exec = (file: string, args: string[], env: Record<string, string | undefined> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resolve({ code, stdout, stderr })
    })
  })

/** psql on the test server as its superuser: one value per line. */
const query = async (sql: string, database = server.pathname.slice(1) || "postgres") => {
  const result = await exec("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], connection(database))
  if (result.code !== 0) throw new Error(result.stderr)
  return result.stdout.trim()
}

const connection = (database: string, user = decodeURIComponent(server.username) || "postgres") => ({
  PGHOST: server.hostname,
  PGPORT: server.port || "5432",
  PGUSER: user,
  PGDATABASE: database,
  PGPASSWORD: decodeURIComponent(server.password) || undefined,
})

/** True when `password` is the one PostgreSQL's SCRAM-SHA-256 verifier was made from. */
const verifierMatches = (verifier: string, password: string) => {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/u.exec(verifier)
  if (match === null) throw new Error(`not a SCRAM-SHA-256 verifier: ${verifier.slice(0, 14)}…`)
  const [, iterations, salt, storedKey, serverKey] = match
  const salted = pbkdf2Sync(password, Buffer.from(salt!, "base64"), Number(iterations), 32, "sha256")
  const hmac = (text: string) => createHmac("sha256", salted).update(text).digest()
  return (
    createHash("sha256").update(hmac("Client Key")).digest("base64") === storedKey &&
    hmac("Server Key").toString("base64") === serverKey
  )
}

let available = false
let dir: string
let created = false

beforeAll(async () => {
  const probe = await exec(
    "psql",
    ["-X", "-A", "-t", "-c", "select 1"],
    connection(server.pathname.slice(1) || "postgres"),
  )
  available = probe.code === 0
  if (!available && required)
    throw new Error(`LIANDONG_TEST_PG=required but ${server.host} does not answer: ${probe.stderr}`)
  dir = await mkdtemp(join(tmpdir(), "liandong-roles-"))
  // As a secret's file usually is: one final newline, which is not part of the password.
  await writeFile(join(dir, "owner_password"), `${passwords.owner}\n`)
  await writeFile(join(dir, "app_password"), `${passwords.app}\n`)
})

afterAll(async () => {
  if (created) {
    await query(`drop database if exists ${names.database} with (force)`)
    await query(`drop role if exists ${names.app}`)
    await query(`drop role if exists ${names.owner}`)
  }
  await rm(dir, { recursive: true, force: true })
})

const runScript = (env: Record<string, string | undefined>) =>
  exec("sh", [script], {
    ...connection("postgres"),
    POSTGRES_USER: decodeURIComponent(server.username) || "postgres",
    LIANDONG_OWNER_ROLE: names.owner,
    LIANDONG_APP_ROLE: names.app,
    LIANDONG_DATABASE: names.database,
    LIANDONG_OWNER_PASSWORD: undefined,
    LIANDONG_APP_PASSWORD: undefined,
    ...env,
  })

describe("the roles the compose file's PostgreSQL creates on its first start", () => {
  it("refuses to run without the passwords, creating nothing", async (context) => {
    if (!available) context.skip()
    const result = await runScript({ LIANDONG_OWNER_PASSWORD_FILE: join(dir, "owner_password") })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain("LIANDONG_APP_PASSWORD_FILE")
    expect(await query(`select count(*) from pg_roles where rolname like 'liandong_test_%_${suffix}'`)).toBe("0")
  })

  it("stores the passwords from the files exactly, whatever their characters", async (context) => {
    if (!available) context.skip()
    const result = await runScript({
      LIANDONG_OWNER_PASSWORD_FILE: join(dir, "owner_password"),
      LIANDONG_APP_PASSWORD_FILE: join(dir, "app_password"),
    })
    created = true
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)

    const verifier = async (role: string) => query(`select rolpassword from pg_authid where rolname = '${role}'`)
    const app = await verifier(names.app)
    const owner = await verifier(names.owner)
    expect(verifierMatches(app, passwords.app)).toBe(true)
    expect(verifierMatches(app, `${passwords.app}\n`)).toBe(false)
    expect(verifierMatches(owner, passwords.owner)).toBe(true)
    expect(verifierMatches(owner, passwords.app)).toBe(false)
  })

  it("gives the database to the owner and lets only the application role connect besides it", async (context) => {
    if (!available) context.skip()
    expect(await query(`select pg_get_userbyid(datdba) from pg_database where datname = '${names.database}'`)).toBe(
      names.owner,
    )
    const acl = await query(`select datacl::text from pg_database where datname = '${names.database}'`)
    expect(acl).toContain(`${names.app}=c/${names.owner}`)
    expect(acl).not.toMatch(/[{,]=/u)
    const roles = await query(
      `select rolname || ' ' || (rolsuper or rolcreaterole or rolcreatedb) from pg_roles where rolname in ('${names.owner}', '${names.app}') order by rolname`,
    )
    expect(roles.split("\n")).toEqual([`${names.app} false`, `${names.owner} false`])
  })

  it("lets the application role connect with its password", async (context) => {
    if (!available) context.skip()
    const result = await exec("psql", ["-X", "-A", "-t", "-c", "select current_user"], {
      ...connection(names.database, names.app),
      PGPASSWORD: passwords.app,
    })
    expect(result.stderr).toBe("")
    expect(result.stdout.trim()).toBe(names.app)
  })
})
