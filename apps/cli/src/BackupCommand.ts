/**
 * `liandong backup --out dir` and `liandong restore --from dir`: the database, the
 * checkpoint key, and a manifest naming both — the schema version, each campaign's
 * journal length and head, the key ring, a SHA-256 of every file. On PostgreSQL the
 * database is pg_dump's custom format of a snapshot the manifest's facts are read in, so
 * it describes the dump even while workers write; the embedded database is its folder,
 * copied while this process holds it (its lock: no server can be running). A restore
 * checks every hash before it writes anything, restores into an empty database (or an
 * absent folder), puts the key back and verifies every campaign as `audit verify` does.
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { chmod, cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { userInfo } from "node:os"
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import { keyIdOf, publicKeyOf, verifyCampaign } from "@liandong/engine/audit"
import {
  checkpointDatabase,
  type DatabaseFacts,
  databaseFacts,
  InvalidInput,
  keyFileFromEnv,
  migrateDatabase,
  operator,
  type SettingInvalid,
  schemaObjects,
  schemaVersions,
  withExportedSnapshot,
} from "@liandong/engine/runtime"
import { storeOptionsFromEnv } from "@liandong/store"
import { issueProblems } from "@liandong/workflow"
import { Effect, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import { json, table } from "./Output.ts"
import { run } from "./Run.ts"

/** A backup or restore that cannot go on, and why, in both languages. */
export class BackupRefused extends Schema.TaggedError<BackupRefused>()("BackupRefused", {
  zh: Schema.String,
  en: Schema.String,
}) {}

const refuse = (zh: string, en: string) => new BackupRefused({ zh, en })

// ---------------------------------------------------------------------------------------------
// Where the database is, as pg_dump and pg_restore are told it

/** The connection settings of a store, as the store package names them (a URL, or settings one by one). */
export interface ConnectionOptions {
  readonly databaseUrl?: string | undefined
  readonly postgres?:
    | {
        readonly host: string
        readonly port: number
        readonly database: string
        readonly user: string
        readonly password?: string | undefined
        readonly sslMode?: string | undefined
      }
    | undefined
  readonly dataDir?: string | undefined
}

// URL query parameters libpq reads from its environment under these names.
const urlParameters: Readonly<Record<string, string>> = {
  host: "PGHOST",
  port: "PGPORT",
  user: "PGUSER",
  password: "PGPASSWORD",
  dbname: "PGDATABASE",
  sslmode: "PGSSLMODE",
  sslrootcert: "PGSSLROOTCERT",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  connect_timeout: "PGCONNECT_TIMEOUT",
  options: "PGOPTIONS",
}

/**
 * The libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE…) that
 * names the store's PostgreSQL server for a child process: nothing goes on its command line,
 * where other users of the machine could read the password. Undefined for the embedded database.
 */
export const libpqEnvironment = (options: ConnectionOptions): Record<string, string> | undefined => {
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl)
    const env: Record<string, string> = {}
    const set = (name: string, value: string) => {
      if (value !== "") env[name] = value
    }
    set("PGHOST", url.hostname.replace(/^\[(.*)\]$/u, "$1"))
    set("PGPORT", url.port)
    set("PGUSER", decodeURIComponent(url.username))
    set("PGPASSWORD", decodeURIComponent(url.password))
    set("PGDATABASE", decodeURIComponent(url.pathname.replace(/^\//u, "")))
    for (const [key, value] of url.searchParams) {
      const name = urlParameters[key]
      if (name !== undefined) set(name, value)
      // node-postgres's `ssl=true` is libpq's sslmode=require.
      else if (key === "ssl" && (value === "true" || value === "1") && !url.searchParams.has("sslmode"))
        set("PGSSLMODE", "require")
    }
    return env
  }
  const pg = options.postgres
  if (pg === undefined) return undefined
  return {
    PGHOST: pg.host,
    PGPORT: String(pg.port),
    PGDATABASE: pg.database,
    PGUSER: pg.user,
    ...(pg.password === undefined ? {} : { PGPASSWORD: pg.password }),
    ...(pg.sslMode === undefined ? {} : { PGSSLMODE: pg.sslMode }),
  }
}

/** A PostgreSQL server, as a pg tool is told it. */
interface PostgresTarget {
  readonly kind: "postgres"
  /** the child's environment: this process's, with the connection's libpq variables */
  readonly env: NodeJS.ProcessEnv
  /** the database's name, for pg_restore's --dbname */
  readonly database: string
}

/** Where this run's database is: a PostgreSQL server, the embedded folder, or settings that cannot be used. */
const resolveTarget = (): PostgresTarget | { readonly kind: "embedded"; readonly dataDir: string } | BackupRefused => {
  try {
    const options: ConnectionOptions = storeOptionsFromEnv()
    const env = libpqEnvironment(options)
    if (env === undefined) return { kind: "embedded", dataDir: resolve(options.dataDir || join(".liandong", "data")) }
    return {
      kind: "postgres",
      env: { ...process.env, ...env, PGAPPNAME: "liandong-backup" },
      database: env.PGDATABASE ?? env.PGUSER ?? process.env.PGDATABASE ?? process.env.PGUSER ?? userInfo().username,
    }
  } catch (error) {
    if (typeof error === "object" && error !== null && "zh" in error && "en" in error) {
      const { zh, en } = error as { zh: string; en: string }
      return refuse(zh, en)
    }
    // The URL is not echoed: it may hold the password.
    return refuse("DATABASE_URL 无法解析", "DATABASE_URL cannot be parsed")
  }
}

type Ctx = Parameters<Parameters<typeof run>[0]>[0]
type Body<Where> = (where: Where, ctx: Ctx) => Generator<any, string, any>

/**
 * Runs the body for where this run's database is. The embedded body says whether the
 * folder is to be opened first (which takes its lock, or fails naming the process holding it).
 */
const onTarget = (bodies: {
  readonly postgres: Body<PostgresTarget>
  readonly embedded: { readonly open: boolean; readonly body: Body<string> }
}) => {
  const where = resolveTarget()
  if (where instanceof BackupRefused)
    return run(
      function* () {
        return yield* where
      },
      { database: false },
    )
  if (where.kind === "postgres") return run((ctx) => bodies.postgres(where, ctx))
  return run((ctx) => bodies.embedded.body(where.dataDir, ctx), { database: bodies.embedded.open })
}

// ---------------------------------------------------------------------------------------------
// Files, hashes, tools

/** The deployment's key file, as servers and workers find it (both variables set is refused). */
const keyFile = Effect.try({
  try: () => keyFileFromEnv(),
  // keyFileFromEnv's one failure
  catch: (error) => error as SettingInvalid,
})

const sha256File = (path: string) =>
  Effect.tryPromise({
    try: () =>
      new Promise<string>((done, fail) => {
        const hash = createHash("sha256")
        createReadStream(path)
          .on("error", fail)
          .on("data", (chunk) => hash.update(chunk))
          .on("end", () => done(hash.digest("hex")))
      }),
    catch: (error) => refuse(`无法读取 ${path}:${String(error)}`, `cannot read ${path}: ${String(error)}`),
  })

/** A file operation; its failure says what was being done ("中文 / English") and why. */
const io = <A>(what: string, body: () => Promise<A>) =>
  Effect.tryPromise({
    try: body,
    catch: (error) => {
      if (error instanceof BackupRefused) return error
      const [zh = what, en = what] = what.split(" / ")
      const why = error instanceof Error ? error.message : String(error)
      return refuse(`${zh}:${why}`, `${en}: ${why}`)
    },
  })

/** The key id of a PEM private key, or undefined when the text is not one. */
const keyIdOfPrivate = (pem: string) => {
  const publicKey = publicKeyOf(pem)
  return publicKey === undefined ? undefined : keyIdOf(publicKey)
}

/** Runs a PostgreSQL client tool from PATH; its output is kept, its password came through the environment. */
const runTool = (tool: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  Effect.tryPromise({
    try: (signal) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done, fail) => {
        const child = spawn(tool, args, { env, signal, stdio: ["ignore", "pipe", "pipe"] })
        let stdout = ""
        let stderr = ""
        child.stdout.on("data", (chunk) => {
          stdout += String(chunk)
        })
        child.stderr.on("data", (chunk) => {
          stderr += String(chunk)
        })
        child.on("error", fail)
        child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }))
      }),
    catch: (error) =>
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? refuse(
            `找不到 ${tool}:请安装 PostgreSQL 客户端工具(Debian:apt-get install postgresql-client),主版本不低于数据库服务器,并使其在 PATH 中`,
            `${tool} is not on PATH: install the PostgreSQL client tools (Debian: apt-get install postgresql-client), of the server's major version or newer`,
          )
        : refuse(`无法运行 ${tool}:${String(error)}`, `cannot run ${tool}: ${String(error)}`),
  })

/** The major version in a pg tool's version line (`pg_dump (PostgreSQL) 15.20 …` → 15). */
const majorOf = (line: string) => Number(/\)\s*(\d+)/u.exec(line)?.[1] ?? Number.NaN)

/** The tool's version line (`pg_dump (PostgreSQL) 15.20 …`) and its major version. */
const toolVersion = (tool: string, env: NodeJS.ProcessEnv) =>
  Effect.map(runTool(tool, ["--version"], env), (result) => {
    const line = result.stdout.trim()
    return { line, major: majorOf(line) }
  })

const toolFailed = (tool: string, stderr: string) =>
  refuse(
    `${tool} 失败:${stderr.trim().split("\n").slice(-5).join(" ")}`,
    `${tool} failed: ${stderr.trim().split("\n").slice(-5).join(" ")}`,
  )

// ---------------------------------------------------------------------------------------------
// The manifest

const CampaignHead = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  journalLength: Schema.Int,
  journalHead: Schema.NullOr(Schema.String),
})

const RingKey = Schema.Struct({
  keyId: Schema.String,
  validFrom: Schema.String,
  validUntil: Schema.NullOr(Schema.String),
})

/** manifest.json: what a backup holds, decoded before a restore trusts any of it. */
const Manifest = Schema.Struct({
  format: Schema.Literal("liandong-backup"),
  formatVersion: Schema.Literal(1),
  createdAt: Schema.String,
  database: Schema.Struct({
    kind: Schema.Literals(["postgres", "pglite"]),
    /** the newest migration applied */
    schemaVersion: Schema.String,
    serverVersion: Schema.String,
    /** pg_dump's own version line, or how the embedded folder was copied */
    pgDump: Schema.String,
    /** the dump's file (PostgreSQL) or the data folder (embedded), relative to the backup folder */
    dump: Schema.String,
  }),
  campaigns: Schema.Array(CampaignHead),
  keys: Schema.Struct({
    /** the checkpoint key (private, PEM), relative to the backup folder */
    file: Schema.String,
    keyId: Schema.String,
    ring: Schema.Array(RingKey),
  }),
  /** SHA-256 of every file but the manifest, by path relative to the backup folder */
  files: Schema.Record(Schema.String, Schema.String),
})
type Manifest = typeof Manifest.Type

const dumpName = "database.dump"
const dataName = "data"

// ---------------------------------------------------------------------------------------------
// backup

/** Makes `dir` (mode 0700: it will hold the private key) unless it exists with anything in it. */
const prepareFolder = (dir: string) =>
  io(`无法创建备份目录 ${dir} / cannot create the backup folder ${dir}`, async () => {
    const found = await stat(dir).catch(() => undefined)
    if (found !== undefined && !found.isDirectory())
      throw refuse(`${dir} 已存在且不是目录`, `${dir} exists and is not a folder`)
    if (found !== undefined && (await readdir(dir)).length > 0)
      throw refuse(
        `备份目录 ${dir} 不是空的:请指定一个新目录,不会覆盖已有备份`,
        `the backup folder ${dir} is not empty: name a new one; an existing backup is never overwritten`,
      )
    await mkdir(dir, { recursive: true, mode: 0o700 })
  })

/** A permission the schema's owner has and the application role lacks: say who must run this. */
const asOwner = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.mapError(effect, (error) =>
    typeof error === "object" && error !== null && (error as { code?: unknown }).code === "42501"
      ? refuse(
          "权限不足:备份和恢复须以数据库所有者(如 liandong_owner)身份运行,应用角色 liandong_app 无权读取迁移记录",
          "permission denied: backup and restore run as the schema's owner (e.g. liandong_owner); the application role cannot read the migration records",
        )
      : error,
  )

/** True when `child` is `parent` or inside it. */
const within = (parent: string, child: string) => {
  const rel = relative(parent, child)
  return rel === "" || !(rel.startsWith("..") || isAbsolute(rel))
}

/** The deployment's key file, read: its path, its text and its key id. */
const deploymentKey = Effect.gen(function* () {
  const path = yield* keyFile
  const pem = yield* io(
    `无法读取签名密钥 ${path}(LIANDONG_KEY)/ cannot read the signing key ${path} (LIANDONG_KEY)`,
    () => readFile(path, "utf8"),
  )
  const keyId = keyIdOfPrivate(pem)
  if (keyId === undefined)
    return yield* refuse(`${path} 不是签名私钥(PEM)`, `${path} is not a signing private key (PEM)`)
  return { path, pem, keyId, name: `keys/${basename(path)}` }
})

/** Every file under `dir`, as paths relative to `base` with forward slashes. */
const filesUnder = (base: string, dir: string) =>
  io(`无法读取目录 ${dir} / cannot read the folder ${dir}`, async () => {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true })
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(base, join(entry.parentPath, entry.name)).split(sep).join("/"))
      .sort()
  })

/**
 * Finishes a backup whose database is in `dir`: copies the key (0600), hashes `databaseFiles`
 * and the key, and writes the manifest last — a folder without one is visibly not a backup.
 */
const finishBackup = (
  dir: string,
  key: Effect.Success<typeof deploymentKey>,
  database: Manifest["database"],
  facts: DatabaseFacts,
  databaseFiles: ReadonlyArray<string>,
) =>
  Effect.gen(function* () {
    yield* io("无法复制签名密钥 / cannot copy the signing key", async () => {
      await mkdir(join(dir, "keys"), { recursive: true, mode: 0o700 })
      await writeFile(join(dir, key.name), key.pem, { mode: 0o600, flag: "wx" })
      await chmod(join(dir, key.name), 0o600)
    })
    const files: Record<string, string> = {}
    for (const name of [...databaseFiles, key.name]) files[name] = yield* sha256File(join(dir, name))
    const manifest: Manifest = {
      format: "liandong-backup",
      formatVersion: 1,
      createdAt: new Date().toISOString(),
      database,
      campaigns: facts.campaigns,
      keys: { file: key.name, keyId: key.keyId, ring: facts.keys },
      files,
    }
    yield* io("无法写入 manifest.json / cannot write manifest.json", () =>
      writeFile(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 }),
    )
    return manifest
  })

/** What a failed backup wrote is removed, so the folder can be used again. */
const cleanUp = (dir: string) =>
  Effect.promise(() =>
    Promise.all(
      [dumpName, dataName, "keys", "manifest.json"].map((name) =>
        rm(join(dir, name), { recursive: true, force: true }),
      ),
    ),
  )

const backedUp = (dir: string, manifest: Manifest, ctx: Ctx) => {
  if (ctx.json) return json({ dir, ...manifest })
  const { keyId, file, ring } = manifest.keys
  const current = ring.length === 0 || ring.some((k) => k.keyId === keyId && k.validUntil === null)
  return [
    `已备份到 ${dir} / backed up to ${dir}`,
    `  数据库结构 schema ${manifest.database.schemaVersion} · ${manifest.database.kind === "postgres" ? "PostgreSQL" : "PGlite"} ${manifest.database.serverVersion} · ${manifest.database.pgDump}`,
    `  签名密钥 signing key ${keyId} (${file}, 0600)`,
    ...(current
      ? []
      : [
          `  注意:密钥 ${keyId} 不是密钥环中正在使用的密钥,请确认 LIANDONG_KEY 指向本部署的密钥 / note: key ${keyId} is not a current key of the ring; check that LIANDONG_KEY names this deployment's key`,
        ]),
    headsTable(manifest.campaigns),
    "备份目录含签名私钥:请加密保存,勿交给数据库管理员 / the folder holds the private signing key: keep it encrypted, away from database administrators",
  ].join("\n")
}

const noTables = refuse(
  "数据库中没有 Liandong 的表(尚未执行 db migrate?)",
  "the database holds no Liandong tables (was db migrate run?)",
)

/** `liandong backup --out dir`. */
export const backupCommand = Command.make(
  "backup",
  { out: Flag.String("out").pipe(Flag.withDescription("备份目录(须为新目录或空目录)/ a new or empty folder")) },
  ({ out }) =>
    onTarget({
      postgres: function* (connection, ctx) {
        const dir = resolve(out)
        const pgDump = yield* toolVersion("pg_dump", connection.env)
        const key = yield* deploymentKey
        yield* prepareFolder(dir)
        const facts = yield* asOwner(
          withExportedSnapshot((snapshot, facts) =>
            Effect.gen(function* () {
              if (facts.schemaVersion === null) return yield* noTables
              // pg_dump reads the snapshot the facts were read in: the manifest describes the dump exactly.
              const dumped = yield* runTool(
                "pg_dump",
                ["--format=custom", "--no-password", `--snapshot=${snapshot}`, `--file=${join(dir, dumpName)}`],
                connection.env,
              )
              if (dumped.code !== 0) return yield* toolFailed("pg_dump", dumped.stderr)
              return { ...facts, schemaVersion: facts.schemaVersion }
            }),
          ),
        ).pipe(Effect.tapError(() => cleanUp(dir)))
        const database = {
          kind: "postgres",
          schemaVersion: facts.schemaVersion,
          serverVersion: facts.serverVersion,
          pgDump: pgDump.line,
          dump: dumpName,
        } as const
        const manifest = yield* finishBackup(dir, key, database, facts, [dumpName]).pipe(
          Effect.tapError(() => cleanUp(dir)),
        )
        return backedUp(dir, manifest, ctx)
      },
      embedded: {
        // Opened: this process holds the folder's lock, so no server or other command writes while it is copied.
        open: true,
        body: function* (dataDir, ctx) {
          const dir = resolve(out)
          if (within(dataDir, dir) || within(dir, dataDir))
            return yield* refuse(
              `备份目录 ${dir} 与数据目录 ${dataDir} 重叠`,
              `the backup folder ${dir} overlaps the data folder ${dataDir}`,
            )
          const key = yield* deploymentKey
          yield* prepareFolder(dir)
          const facts = yield* databaseFacts
          if (facts.schemaVersion === null) return yield* noTables
          const schemaVersion = facts.schemaVersion
          const files = yield* Effect.gen(function* () {
            // Everything in the files, and nothing but this process to change them while they are copied.
            yield* checkpointDatabase
            yield* io(`无法复制数据目录 ${dataDir} / cannot copy the data folder ${dataDir}`, () =>
              cp(dataDir, join(dir, dataName), {
                recursive: true,
                filter: (source) => !basename(source).startsWith("liandong.lock"),
              }),
            )
            return yield* filesUnder(dir, join(dir, dataName))
          }).pipe(Effect.tapError(() => cleanUp(dir)))
          const database = {
            kind: "pglite",
            schemaVersion,
            serverVersion: facts.serverVersion,
            pgDump: "data folder copied while held",
            dump: dataName,
          } as const
          const manifest = yield* finishBackup(dir, key, database, { ...facts, schemaVersion }, files).pipe(
            Effect.tapError(() => cleanUp(dir)),
          )
          return backedUp(dir, manifest, ctx)
        },
      },
    }),
).pipe(
  Command.withDescription(
    "备份数据库、签名密钥和清单(PostgreSQL 以所有者身份;嵌入式数据库须无其他进程占用)/ back up the database, the signing key and a manifest (PostgreSQL as the owner; the embedded folder while no other process holds it)",
  ),
)

const headsTable = (campaigns: ReadonlyArray<typeof CampaignHead.Type>) =>
  campaigns.length === 0
    ? "  (没有活动 / no campaigns)"
    : table(
        ["活动 campaign", "状态 status", "日志行数 journal rows", "日志头 head"],
        campaigns.map((c) => [c.id, c.status, String(c.journalLength), c.journalHead?.slice(0, 16) ?? "—"]),
      )

// ---------------------------------------------------------------------------------------------
// restore

/** Reads and decodes manifest.json; every problem names its field. */
const readManifest = (dir: string) =>
  Effect.gen(function* () {
    const path = join(dir, "manifest.json")
    const text = yield* io(`无法读取 ${path} / cannot read ${path}`, () => readFile(path, "utf8"))
    const parsed = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: () => refuse(`${path} 不是有效的 JSON`, `${path} is not valid JSON`),
    })
    return yield* Schema.decodeUnknownEffect(Manifest)(parsed, { errors: "all" }).pipe(
      Effect.mapError(
        (error) =>
          new InvalidInput({
            problems: issueProblems(error.issue).map((p) => ({
              ...p,
              path: `manifest.json${p.path ? `.${p.path}` : ""}`,
            })),
          }),
      ),
    )
  })

/** A path of the manifest, inside the backup folder, or a refusal. */
const inside = (dir: string, name: string) => {
  const path = resolve(dir, name)
  const rel = relative(dir, path)
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) || name === "manifest.json"
    ? Effect.fail(
        refuse(
          `清单中的文件名 ${name} 不在备份目录内`,
          `the manifest names ${name}, which is not inside the backup folder`,
        ),
      )
    : Effect.succeed(path)
}

/**
 * Every file the manifest names must be there with its hash, and an embedded backup's data
 * folder must hold nothing else: checked before anything is written.
 */
const checkFiles = (dir: string, manifest: Manifest) =>
  Effect.gen(function* () {
    const { kind, dump } = manifest.database
    for (const needed of kind === "postgres" ? [dump, manifest.keys.file] : [manifest.keys.file])
      if (!Object.hasOwn(manifest.files, needed))
        return yield* refuse(`清单未给出 ${needed} 的哈希`, `the manifest gives no hash for ${needed}`)
    if (kind === "pglite") {
      yield* inside(dir, dump)
      const present = yield* filesUnder(dir, join(dir, dump))
      const unlisted = present.filter((name) => !Object.hasOwn(manifest.files, name))
      if (present.length === 0 || unlisted.length > 0)
        return yield* refuse(
          `数据目录 ${dump} 与清单不符(${unlisted.length > 0 ? `多出 ${unlisted.slice(0, 3).join("、")}` : "是空的"}),未写入任何内容`,
          `the data folder ${dump} does not match the manifest (${unlisted.length > 0 ? `${unlisted.slice(0, 3).join(", ")} not in it` : "it is empty"}); nothing was written`,
        )
    }
    for (const [name, expected] of Object.entries(manifest.files)) {
      const path = yield* inside(dir, name)
      const actual = yield* sha256File(path)
      if (actual !== expected)
        return yield* refuse(
          `${name} 的 SHA-256 与清单不符(文件被改动或损坏),未写入任何内容`,
          `${name} does not match the manifest's SHA-256 (the file was changed or damaged); nothing was written`,
        )
    }
  })

/** What becomes of the key file: written from the backup, already the same, or kept (`--keep-key`). */
type KeyPlan =
  | { readonly action: "write"; readonly path: string; readonly pem: string; readonly keyId: string }
  | { readonly action: "same" | "kept"; readonly path: string; readonly keyId: string }

const planKey = (dir: string, manifest: Manifest, keepKey: boolean) =>
  Effect.gen(function* () {
    const path = yield* keyFile
    const pem = yield* io("无法读取备份中的签名密钥 / cannot read the backup's signing key", () =>
      readFile(join(dir, manifest.keys.file), "utf8"),
    )
    if (keyIdOfPrivate(pem) !== manifest.keys.keyId)
      return yield* refuse(
        `备份中的签名密钥不是清单所说的 ${manifest.keys.keyId}`,
        `the backup's signing key is not ${manifest.keys.keyId}, as the manifest says`,
      )
    const present = yield* io(`无法读取 ${path} / cannot read ${path}`, () =>
      readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined
        throw error
      }),
    )
    if (present === undefined) return { action: "write", path, pem, keyId: manifest.keys.keyId } satisfies KeyPlan
    const presentId = keyIdOfPrivate(present) ?? "?"
    if (presentId === manifest.keys.keyId) return { action: "same", path, keyId: presentId } satisfies KeyPlan
    if (!keepKey)
      return yield* refuse(
        `${path} 已有另一把签名密钥 ${presentId}(备份中为 ${manifest.keys.keyId}),未作任何改动。要沿用现有密钥签名,加 --keep-key;要用备份中的密钥,先把现有文件移走`,
        `${path} holds another signing key, ${presentId} (the backup's is ${manifest.keys.keyId}); nothing was changed. To sign with the present key from now on, add --keep-key; to use the backup's, move the present file away first`,
      )
    if (manifest.keys.ring.some((k) => k.keyId === presentId && k.validUntil !== null))
      return yield* refuse(
        `${path} 中的密钥 ${presentId} 在备份的密钥环中已停用,不能再签名`,
        `the key in ${path}, ${presentId}, was retired in the backup's key ring and may never sign again`,
      )
    return { action: "kept", path, keyId: presentId } satisfies KeyPlan
  })

const writeKey = (plan: KeyPlan) =>
  plan.action !== "write"
    ? Effect.void
    : io(`无法写入签名密钥 ${plan.path} / cannot write the signing key ${plan.path}`, async () => {
        const folder = dirname(plan.path)
        if ((await stat(folder).catch(() => undefined)) === undefined)
          await mkdir(folder, { recursive: true, mode: 0o700 })
        await writeFile(plan.path, plan.pem, { mode: 0o600, flag: "wx" })
        await chmod(plan.path, 0o600)
      })

/** The manifest, its files checked, of a backup of this kind of database and a schema this release knows. */
const openBackup = (dir: string, kind: Manifest["database"]["kind"]) =>
  Effect.gen(function* () {
    const manifest = yield* readManifest(dir)
    if (manifest.database.kind !== kind)
      return yield* kind === "postgres"
        ? refuse(
            "这是嵌入式数据库的备份:请不设 DATABASE_URL,恢复到 LIANDONG_DATA 所指目录",
            "this is a backup of the embedded database: restore it without DATABASE_URL, into the folder LIANDONG_DATA names",
          )
        : refuse(
            "这是 PostgreSQL 数据库的备份:请设置 DATABASE_URL 指向一个空数据库再恢复",
            "this is a backup of a PostgreSQL database: set DATABASE_URL to an empty database to restore it",
          )
    yield* checkFiles(dir, manifest)
    const latest = schemaVersions.at(-1) ?? ""
    if (!schemaVersions.includes(manifest.database.schemaVersion))
      return yield* refuse(
        `备份的数据库结构 ${manifest.database.schemaVersion} 比本版本(${latest})新:请用制作备份的版本或更新的版本恢复`,
        `the backup's schema, ${manifest.database.schemaVersion}, is newer than this release's (${latest}): restore with the release that made it, or a later one`,
      )
    return manifest
  })

/**
 * After the database is back: brings an older backup's schema up to date (as an upgrade
 * would, enrolling the key older checkpoints need), verifies every campaign as `audit
 * verify` does, and compares each journal's length and head with the manifest.
 */
const verifyRestored = (manifest: Manifest, key: KeyPlan, from: string, into: string, ctx: Ctx) =>
  Effect.gen(function* () {
    const migrated = (yield* asOwner(migrateDatabase)).applied
    const after = yield* asOwner(databaseFacts)
    const results = []
    for (const saved of manifest.campaigns) {
      const found = after.campaigns.find((c) => c.id === saved.id)
      const verdict = yield* verifyCampaign(saved.id, operator)
      results.push({
        campaign: saved.id,
        journalLength: found?.journalLength ?? null,
        asBackedUp: found?.journalLength === saved.journalLength && found.journalHead === saved.journalHead,
        verified: verdict.ok,
        findings: verdict.findings,
      })
    }
    const unexpected = after.campaigns.filter((c) => !manifest.campaigns.some((saved) => saved.id === c.id))
    const ok = unexpected.length === 0 && results.every((r) => r.asBackedUp && r.verified)
    if (!ok) process.exitCode = 1
    if (ctx.json)
      return json({ ok, from, into, migrated, key: { action: key.action, keyId: key.keyId }, campaigns: results })
    const keyLine = {
      write: `签名密钥 ${key.keyId} 已写入 ${key.path} / signing key ${key.keyId} written to ${key.path}`,
      same: `签名密钥 ${key.keyId} 已在 ${key.path} / signing key ${key.keyId} already at ${key.path}`,
      kept: `保留 ${key.path} 中的签名密钥 ${key.keyId},它在下次签名时加入密钥环 / kept the signing key ${key.keyId} in ${key.path}; it joins the key ring when it next signs`,
    }[key.action]
    return [
      `已从 ${from} 恢复到 ${into} / restored from ${from} into ${into}`,
      `  ${keyLine}`,
      ...(migrated.length > 0 ? [`  已执行迁移 / migrated: ${migrated.join(", ")}`] : []),
      table(
        ["活动 campaign", "日志行数 rows", "与备份一致 as backed up", "核验 verified"],
        results.map((r) => [
          r.campaign,
          String(r.journalLength ?? "—"),
          r.asBackedUp ? "✓" : "✗",
          r.verified ? "✓" : "✗",
        ]),
      ),
      ...results.flatMap((r) => r.findings.slice(0, 5).map((f) => `  ✗ ${r.campaign}: ${f.zh} / ${f.en}`)),
      ...unexpected.map((c) => `  ✗ 备份清单中没有活动 ${c.id} / campaign ${c.id} is not in the manifest`),
      ok
        ? "✓ 核验通过:每个活动的日志与备份时一致,哈希链、检查点和重放均通过 / verified: every campaign's journal is as backed up, and its chain, checkpoints and replay verify"
        : "✗ 恢复后核验失败 / verification after restore failed",
      manifest.database.kind === "postgres"
        ? "下一步:以所有者身份运行 liandong db roles --app-role liandong_app,再启动服务器和后台进程 / next: run liandong db roles --app-role liandong_app as the owner, then start the servers and workers"
        : "下一步:启动服务器(pnpm serve)/ next: start the server (pnpm serve)",
    ].join("\n")
  })

/** `liandong restore --from dir [--keep-key]`. */
export const restoreCommand = Command.make(
  "restore",
  {
    from: Flag.String("from").pipe(Flag.withDescription("liandong backup 写出的目录 / a folder liandong backup wrote")),
    keepKey: Flag.Boolean("keep-key").pipe(
      Flag.withDescription(
        "LIANDONG_KEY 处已有另一把密钥时保留它,用它继续签名 / where LIANDONG_KEY already holds another key, keep it and sign with it",
      ),
      Flag.withDefault(false),
    ),
  },
  ({ from, keepKey }) =>
    onTarget({
      postgres: function* (connection, ctx) {
        const dir = resolve(from)
        const manifest = yield* openBackup(dir, "postgres")
        const pgRestore = yield* toolVersion("pg_restore", connection.env)
        if (!(pgRestore.major >= majorOf(manifest.database.pgDump)))
          return yield* refuse(
            `${pgRestore.line} 读不了 ${manifest.database.pgDump} 写的备份:请安装同一主版本或更新的 PostgreSQL 客户端`,
            `${pgRestore.line} cannot read a dump ${manifest.database.pgDump} wrote: install PostgreSQL client tools of that major version or newer`,
          )
        const key = yield* planKey(dir, manifest, keepKey)
        const present = yield* schemaObjects
        if (present.length > 0)
          return yield* refuse(
            `目标数据库不是空的(已有 ${present.slice(0, 8).join("、")}${present.length > 8 ? ` 等 ${present.length} 项` : ""}):只能恢复到新建的空数据库,未作任何改动`,
            `the target database is not empty (it holds ${present.slice(0, 8).join(", ")}${present.length > 8 ? `, ${present.length} in all` : ""}): restore only into a new, empty database; nothing was changed`,
          )
        // Objects belong to whoever restores (the schema's owner); the application role's rights come from `db roles`.
        const restored = yield* runTool(
          "pg_restore",
          [
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            `--dbname=${connection.database}`,
            join(dir, manifest.database.dump),
          ],
          connection.env,
        )
        if (restored.code !== 0) return yield* toolFailed("pg_restore", restored.stderr)
        yield* writeKey(key)
        return yield* verifyRestored(manifest, key, dir, connection.database, ctx)
      },
      embedded: {
        // Not opened until the folder is back; opening it then takes its lock.
        open: false,
        body: function* (dataDir, ctx) {
          const dir = resolve(from)
          const manifest = yield* openBackup(dir, "pglite")
          const key = yield* planKey(dir, manifest, keepKey)
          const found = yield* io(`无法读取 ${dataDir} / cannot read ${dataDir}`, () =>
            readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
              if (error.code === "ENOENT") return []
              throw error
            }),
          )
          if (found.length > 0)
            return yield* refuse(
              `数据目录 ${dataDir} 不是空的:只能恢复到不存在或空的目录(先把它移走),未作任何改动`,
              `the data folder ${dataDir} is not empty: restore only into an absent or empty folder (move it away first); nothing was changed`,
            )
          yield* io(`无法复制到 ${dataDir} / cannot copy into ${dataDir}`, () =>
            cp(join(dir, manifest.database.dump), dataDir, { recursive: true, errorOnExist: true, force: false }),
          )
          yield* writeKey(key)
          return yield* Effect.provide(verifyRestored(manifest, key, dir, dataDir, ctx), ctx.layer)
        },
      },
    }),
).pipe(
  Command.withDescription(
    "从备份恢复到空数据库(或空的数据目录)并核验(PostgreSQL 以所有者身份)/ restore a backup into an empty database or data folder and verify it (PostgreSQL as the owner)",
  ),
)

/** `backup` and `restore`, for the command tree. */
export const backupCommands = [backupCommand, restoreCommand] as const
