/**
 * The database from the environment: a URL (or a file holding one), the separate settings
 * with any password (or a file holding it), the embedded database otherwise; and the errors
 * that name a variable and never hold its value. Against PostgreSQL the passwords are
 * checked: the test runs a server of its own with SCRAM authentication over TCP.
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { sql } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { isPostgres, openStore, SettingInvalid, type Store, storeOptionsFromEnv } from "../src/index.ts"

const run = promisify(execFile)
const bin = process.env.LIANDONG_PG_BIN ?? "/usr/lib/postgresql/15/bin"
const required = process.env.LIANDONG_TEST_PG === "required"

const tempFile = async (content: string) => {
  const path = join(await mkdtemp(join(tmpdir(), "liandong-secret-")), "secret")
  await writeFile(path, content, { mode: 0o600 })
  return path
}

/** The error `body` throws; fails the test when it throws none. */
const thrown = (body: () => unknown): SettingInvalid => {
  try {
    body()
  } catch (error) {
    expect(error).toBeInstanceOf(SettingInvalid)
    return error as SettingInvalid
  }
  throw new Error("expected a SettingInvalid")
}

describe("the database settings of the environment", () => {
  it("take a URL first, then the separate settings, else the embedded database", async () => {
    const separate = { DATABASE_HOST: "db.internal", DATABASE_NAME: "liandong", DATABASE_USER: "app" }
    expect(storeOptionsFromEnv({ DATABASE_URL: "postgres://h/db", ...separate })).toEqual({
      databaseUrl: "postgres://h/db",
    })
    expect(storeOptionsFromEnv({ ...separate, DATABASE_PASSWORD: "a/b+c@d#e%f:g" }).postgres).toEqual({
      host: "db.internal",
      port: 5432,
      database: "liandong",
      user: "app",
      password: "a/b+c@d#e%f:g",
      sslMode: undefined,
    })
    expect(
      storeOptionsFromEnv({ ...separate, DATABASE_PORT: "6432", DATABASE_SSLMODE: "require" }).postgres,
    ).toMatchObject({ port: 6432, sslMode: "require" })
    const embedded = storeOptionsFromEnv({ LIANDONG_DATA: "/d" })
    expect(embedded).toEqual({ dataDir: "/d" })
    expect(isPostgres(embedded)).toBe(false)
    expect(isPostgres(storeOptionsFromEnv(separate))).toBe(true)
    const url = await tempFile("postgres://app:p%2Fw@h:5432/db\n")
    expect(storeOptionsFromEnv({ DATABASE_URL_FILE: url }).databaseUrl).toBe("postgres://app:p%2Fw@h:5432/db")
  })

  it("read a password from its file as it is, less a final newline", async () => {
    const file = await tempFile(" sp ace/+=\n")
    const options = storeOptionsFromEnv({
      DATABASE_HOST: "h",
      DATABASE_NAME: "d",
      DATABASE_USER: "u",
      DATABASE_PASSWORD_FILE: file,
    })
    expect(options.postgres?.password).toBe(" sp ace/+=")
  })

  it("refuse X with X_FILE, and a file that cannot be read, naming the variable and not its value", async () => {
    const file = await tempFile("s3cret-in-file\n")
    const both = thrown(() =>
      storeOptionsFromEnv({
        DATABASE_HOST: "h",
        DATABASE_NAME: "d",
        DATABASE_USER: "u",
        DATABASE_PASSWORD: "s3cret-direct",
        DATABASE_PASSWORD_FILE: file,
      }),
    )
    expect(both.variable).toBe("DATABASE_PASSWORD_FILE")
    expect(both.message).toContain("DATABASE_PASSWORD 和 DATABASE_PASSWORD_FILE 只能设置其一")
    expect(both.message).toContain("not both")
    expect(both.message).not.toContain("s3cret")

    const missing = thrown(() => storeOptionsFromEnv({ DATABASE_URL_FILE: "/no/such/s3cret-path" }))
    expect(missing.variable).toBe("DATABASE_URL_FILE")
    expect(missing.message).toContain("ENOENT")
    expect(missing.message).not.toContain("s3cret")
    const urlBoth = thrown(() => storeOptionsFromEnv({ DATABASE_URL: "postgres://h/d", DATABASE_URL_FILE: file }))
    expect(urlBoth.variable).toBe("DATABASE_URL_FILE")
    const empty = thrown(() =>
      storeOptionsFromEnv({
        DATABASE_HOST: "h",
        DATABASE_NAME: "d",
        DATABASE_USER: "u",
        DATABASE_PASSWORD_FILE: "/dev/null",
      }),
    )
    expect(empty.en).toContain("empty")
  })

  it("say a URL whose password is not percent-encoded must be, without echoing it", () => {
    for (const url of [
      "postgres://app:ab/c+d=@db:5432/liandong",
      "postgres://app:p@ss#1@db:5432/liandong",
      "postgres://app:50%off@db:5432/liandong",
      "postgres://app:123?x@db:5432/liandong",
    ]) {
      const error = thrown(() => storeOptionsFromEnv({ DATABASE_URL: url }))
      expect(error.variable).toBe("DATABASE_URL")
      expect(error.en).toContain("percent-encoded")
      expect(error.zh).toContain("百分号编码")
      for (const secret of ["ab/c+d=", "p@ss", "ss#1", "50%off", "123?x"]) expect(error.message).not.toContain(secret)
    }
    expect(thrown(() => storeOptionsFromEnv({ DATABASE_URL: "mysql://h/d" })).en).toContain("postgres://")
  })

  it("decode the separate settings with Schema, each problem naming its variable", () => {
    const error = thrown(() =>
      storeOptionsFromEnv({ DATABASE_HOST: "h", DATABASE_PORT: "70000", DATABASE_SSLMODE: "prefer" }),
    )
    expect(error.en).toContain("DATABASE_PORT must be 1 to 65535")
    expect(error.en).toContain("DATABASE_NAME must be set")
    expect(error.en).toContain("DATABASE_USER must be set")
    expect(error.en).toContain("DATABASE_SSLMODE must be")
    expect(thrown(() => storeOptionsFromEnv({ DATABASE_PASSWORD: "p" })).en).toContain("DATABASE_HOST must be set")
    expect(
      thrown(() =>
        storeOptionsFromEnv({ DATABASE_HOST: "h", DATABASE_NAME: "d", DATABASE_USER: "u", DATABASE_PORT: "54.3" }),
      ).en,
    ).toContain("DATABASE_PORT must be a whole number")
  })
})

/** A port nobody listens on now. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

/**
 * A PostgreSQL server of the test's own that checks passwords over TCP (SCRAM), the
 * superuser `root` trusted on its socket only. As root, it runs as the `postgres` user.
 */
const startPasswordServer = async () => {
  const dir = await mkdtemp(join(tmpdir(), "liandong-pg-scram-"))
  const data = join(dir, "data")
  const port = await freePort()
  const asRoot = userInfo().uid === 0
  if (asRoot) {
    const { stdout: uid } = await run("id", ["-u", "postgres"])
    const { stdout: gid } = await run("id", ["-g", "postgres"])
    await chown(dir, Number(uid.trim()), Number(gid.trim()))
  }
  await chmod(dir, 0o700)
  const tool = (name: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", `${bin}/${name}`, ...args]) : run(`${bin}/${name}`, args)
  await tool("initdb", [
    "-D",
    data,
    "-U",
    "root",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "--no-sync",
    "-E",
    "UTF8",
    "--locale=C",
  ])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  await tool("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"])
  return {
    port,
    /** The superuser, over the socket. */
    admin: () => new pg.Client({ host: dir, port, user: "root", database: "postgres" }),
    destroy: async () => {
      await tool("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]).catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const ownServerPossible = async () => {
  try {
    await run(`${bin}/pg_ctl`, ["--version"])
    return true
  } catch {
    if (required) throw new Error(`LIANDONG_TEST_PG=required but ${bin}/pg_ctl does not run`)
    return false
  }
}

/** A base64 password that holds both `/` and `+`. */
const base64Password = () => {
  for (;;) {
    const candidate = randomBytes(24).toString("base64")
    if (candidate.includes("/") && candidate.includes("+")) return candidate
  }
}

describe.skipIf(!(await ownServerPossible()))("[postgres] any password, from the separate settings", () => {
  let server: Awaited<ReturnType<typeof startPasswordServer>>
  const roles = {
    base64: { name: "liandong_b64", password: base64Password() },
    symbols: { name: "liandong_sym", password: `p@ss#1%z:${randomBytes(4).toString("hex")}/+` },
  }
  const open: Store[] = []

  beforeAll(async () => {
    server = await startPasswordServer()
    const admin = server.admin()
    await admin.connect()
    try {
      for (const role of Object.values(roles)) {
        await admin.query(
          `create role ${pg.escapeIdentifier(role.name)} login password ${pg.escapeLiteral(role.password)}`,
        )
      }
      await admin.query("create database liandong_settings")
    } finally {
      await admin.end()
    }
  }, 120_000)

  afterAll(async () => {
    for (const store of open) await store.close().catch(() => undefined)
    await server?.destroy()
  })

  const settingsEnv = async (role: { name: string; password: string }) => ({
    DATABASE_HOST: "127.0.0.1",
    DATABASE_PORT: String(server.port),
    DATABASE_NAME: "liandong_settings",
    DATABASE_USER: role.name,
    DATABASE_PASSWORD_FILE: await tempFile(`${role.password}\n`),
  })

  const whoAmI = async (store: Store) =>
    (await sql<{ user: string }>`select current_user as user`.execute(store.db)).rows[0]?.user

  for (const [label, role] of Object.entries(roles)) {
    it(`connects with a ${label} password from DATABASE_PASSWORD_FILE, and LISTEN hears`, async () => {
      const options = storeOptionsFromEnv(await settingsEnv(role))
      const store = await openStore({ ...options, poolSize: 2 })
      open.push(store)
      expect(store.kind).toBe("postgres")
      expect(await whoAmI(store)).toBe(role.name)
      expect(store.describe).toBe(`postgres://${role.name}@127.0.0.1:${server.port}/liandong_settings`)
      expect(store.describe).not.toContain(role.password)
      // LISTEN opens a connection of its own with the same settings.
      const heard: string[] = []
      const stop = await store.listen("liandong_settings_test", (payload) => heard.push(payload))
      await sql`select pg_notify('liandong_settings_test', 'hello')`.execute(store.db)
      for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      await stop()
      expect(heard).toEqual(["hello"])
    })
  }

  it("checks the password: a wrong one is refused", async () => {
    const env = await settingsEnv({ ...roles.base64, password: `${roles.base64.password}x` })
    await expect(
      openStore({ ...storeOptionsFromEnv(env), poolSize: 1 }).then(async (store) => {
        open.push(store)
        return whoAmI(store)
      }),
    ).rejects.toThrow(/password authentication failed/u)
  })

  it("connects from DATABASE_URL_FILE with the password percent-encoded", async () => {
    const { name, password } = roles.symbols
    const url = `postgres://${name}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/liandong_settings`
    const options = storeOptionsFromEnv({ DATABASE_URL_FILE: await tempFile(`${url}\n`) })
    const store = await openStore({ ...options, poolSize: 1 })
    open.push(store)
    expect(await whoAmI(store)).toBe(name)
    expect(store.describe).not.toContain(password)
    expect(store.describe).not.toContain(encodeURIComponent(password))
  })

  it("refuses the same URL with the password pasted raw, saying to percent-encode it", async () => {
    const { name, password } = roles.symbols
    const raw = `postgres://${name}:${password}@127.0.0.1:${server.port}/liandong_settings`
    const error = thrown(() => storeOptionsFromEnv({ DATABASE_URL: raw }))
    expect(error.en).toContain("percent-encoded")
    expect(error.message).not.toContain(password)
  })
})
