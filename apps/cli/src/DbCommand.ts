/**
 * `liandong db migrate`: bring the database schema up to date.
 * `liandong db roles`: give the application role exactly its rights (Privileges.ts in the store).
 */
import { readFile } from "node:fs/promises"
import { grantAppRole, migrateDatabase, PrivilegeError } from "@liandong/engine/runtime"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { json, table } from "./Output.ts"
import { run } from "./Run.ts"

const migrate = Command.make("migrate", {}, () =>
  run(function* () {
    const result = yield* migrateDatabase
    return [
      result.applied.length === 0
        ? `数据库已是最新 / database is up to date (${result.describe})`
        : `已执行迁移 / applied: ${result.applied.join(", ")} (${result.describe})`,
      ...result.keys.enrolled.map(
        (key) =>
          `签名密钥 ${key} 已加入密钥环(它签过早先的检查点)/ signing key ${key} joined the key ring (it signed earlier checkpoints)`,
      ),
      ...result.keys.unlisted.map(
        (key) =>
          `注意:检查点由密钥 ${key} 签名,但它不在密钥环中;请用 LIANDONG_KEY 指向该密钥再运行 db migrate / note: checkpoints were signed by key ${key}, which is not in the key ring; run db migrate again with LIANDONG_KEY naming that key`,
      ),
    ].join("\n")
  }),
).pipe(Command.withDescription("执行数据库迁移(以所有者身份)/ apply migrations (as the schema's owner)"))

/** The environment variable holding the application role's password. */
export const appPasswordVariable = "LIANDONG_APP_PASSWORD"

// The password never comes from the command line (shell history, process lists): a file, else the environment.
const readPassword = (file: string | undefined) =>
  Effect.tryPromise({
    try: async () => {
      const text = file === undefined ? process.env[appPasswordVariable] : await readFile(file, "utf8")
      const password = text?.replace(/\r?\n$/, "")
      if (file !== undefined && (password === undefined || password === ""))
        throw new PrivilegeError(`密码文件 ${file} 为空`, `the password file ${file} is empty`)
      return password === "" ? undefined : password
    },
    catch: (error) =>
      error instanceof PrivilegeError
        ? error
        : new PrivilegeError(`无法读取密码文件 ${file}:${String(error)}`, `cannot read ${file}: ${String(error)}`),
  })

const roles = Command.make(
  "roles",
  {
    appRole: Flag.String("app-role").pipe(
      Flag.withDescription("应用角色名 / the application role (API servers and workers)"),
      Flag.withDefault("liandong_app"),
    ),
    passwordFile: Flag.String("password-file").pipe(
      Flag.withDescription(
        `应用角色的密码文件(否则读 ${appPasswordVariable})/ its password, from a file (else ${appPasswordVariable})`,
      ),
      Flag.optional,
    ),
  },
  ({ appRole, passwordFile }) =>
    run(function* (ctx) {
      const password = yield* readPassword(Option.getOrUndefined(passwordFile))
      const result = yield* grantAppRole({ role: appRole, password })
      if (ctx.json) return json(result)
      const done = result.created ? "已创建 / created" : result.passwordSet ? "已更新 / updated" : "已授权 / granted"
      const rows = Object.entries(result.tables).map(([name, rights]) => [name, rights === "" ? "—" : rights])
      return [
        `应用角色 ${result.role} ${done}(模式 ${result.schema},${result.describe})`,
        table(["表 table", "权限 privileges"], rows),
        `函数 functions: ${result.functions.join(", ") || "—"}`,
        `序列 sequences (USAGE): ${result.sequences.join(", ") || "—"}`,
        ...(result.absent.length > 0 ? [`本库尚无 / not in this schema: ${result.absent.join(", ")}`] : []),
      ].join("\n")
    }),
).pipe(
  Command.withDescription(
    "创建或更新应用角色并只授予其所需权限(以所有者身份,在 db migrate 之后)/ create or update the application role and grant it exactly its rights (as the owner, after db migrate)",
  ),
)

/** The db command group. */
export const dbCommand = Command.make("db").pipe(
  Command.withSubcommands([migrate, roles]),
  Command.withDescription("数据库管理 / database management"),
)
