/**
 * The database settings of the environment, decoded: `DATABASE_URL` (or
 * `DATABASE_URL_FILE`), else the separate `DATABASE_HOST`, `DATABASE_PORT`,
 * `DATABASE_NAME`, `DATABASE_USER`, `DATABASE_PASSWORD` (or
 * `DATABASE_PASSWORD_FILE`), `DATABASE_SSLMODE` — which take any password,
 * since no URL is involved — else the embedded database. An error names the
 * variable and never holds its value.
 */
import { readFileSync } from "node:fs"
import { Schema, SchemaIssue } from "effect"
import type { PostgresConnection, StoreOptions } from "./Store.ts"

/** An environment variable that cannot be used: which one, and why, in both languages. */
export class SettingInvalid extends Schema.TaggedError<SettingInvalid>()("SettingInvalid", {
  variable: Schema.String,
  zh: Schema.String,
  en: Schema.String,
}) {
  override get message(): string {
    return `${this.zh} / ${this.en}`
  }
}

/** Strips the one final newline an editor or `echo` leaves in a secret's file. */
const finalNewline = /\r?\n$/u

/**
 * The value of `name`, or the content of the file `name_FILE` names (less a final
 * newline; a secret mount's usual shape); undefined when neither is set. Both set,
 * an unreadable or an empty file: a `SettingInvalid` naming the variable.
 */
export const settingOrFile = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const fileVariable = `${name}_FILE`
  const direct = env[name] || undefined
  const file = env[fileVariable] || undefined
  if (direct !== undefined && file !== undefined)
    throw new SettingInvalid({
      variable: fileVariable,
      zh: `${name} 和 ${fileVariable} 只能设置其一`,
      en: `set ${name} or ${fileVariable}, not both`,
    })
  if (file === undefined) return direct
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    // The path is not echoed: a value put in the wrong variable could be the secret itself.
    const code = (error as NodeJS.ErrnoException).code ?? "error"
    throw new SettingInvalid({
      variable: fileVariable,
      zh: `无法读取 ${fileVariable} 指向的文件(${code})`,
      en: `the file ${fileVariable} names cannot be read (${code})`,
    })
  }
  const value = text.replace(finalNewline, "")
  if (value === "")
    throw new SettingInvalid({
      variable: fileVariable,
      zh: `${fileVariable} 指向的文件是空的`,
      en: `the file ${fileVariable} names is empty`,
    })
  return value
}

/**
 * Throws unless `url` is a PostgreSQL URL that parses as written. A password with
 * `/`, `?`, `#` or `%` breaks a URL (the host or the port is read from the middle
 * of it), so the message says to percent-encode it, or to use the separate settings.
 */
export const checkDatabaseUrl = (url: string, variable = "DATABASE_URL"): void => {
  const invalid = (zh: string, en: string) => new SettingInvalid({ variable, zh, en })
  const encoding = {
    zh: "地址中的用户名和密码须按百分号编码(/ 写作 %2F,@ 写作 %40,# 写作 %23,? 写作 %3F,% 写作 %25,: 写作 %3A),或改用单独设置 DATABASE_HOST、DATABASE_USER、DATABASE_PASSWORD_FILE 等,密码无须编码",
    en: "the user name and password in a URL must be percent-encoded (/ as %2F, @ as %40, # as %23, ? as %3F, % as %25, : as %3A), or use the separate settings DATABASE_HOST, DATABASE_USER, DATABASE_PASSWORD_FILE…, which take the password as it is",
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(`${variable} 不是有效的地址:${encoding.zh}`, `${variable} is not a valid URL: ${encoding.en}`)
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw invalid(`${variable} 须以 postgres:// 开头`, `${variable} must start with postgres://`)
  let decodes = true
  try {
    decodeURIComponent(parsed.username)
    decodeURIComponent(parsed.password)
  } catch {
    decodes = false
  }
  // A raw `#` or `?` in a password makes the rest of the URL a fragment or a query, `@` included.
  if (!decodes || parsed.hash !== "" || parsed.search.includes("@"))
    throw invalid(
      `${variable} 不是有效的 PostgreSQL 地址:${encoding.zh}`,
      `${variable} is not a valid PostgreSQL URL: ${encoding.en}`,
    )
}

const Port = Schema.NumberFromString.check(
  Schema.isInt({ message: "须为整数 / must be a whole number" }),
  Schema.isBetween({ minimum: 1, maximum: 65_535 }, { message: "须在 1 到 65535 之间 / must be 1 to 65535" }),
)

const sslModes = ["disable", "require", "verify-full"] as const

const Separate = Schema.Struct({
  DATABASE_HOST: Schema.NonEmptyString,
  DATABASE_PORT: Schema.optional(Port),
  DATABASE_NAME: Schema.NonEmptyString,
  DATABASE_USER: Schema.NonEmptyString,
  DATABASE_PASSWORD: Schema.optional(Schema.String),
  DATABASE_SSLMODE: Schema.optional(Schema.Literals(sslModes)),
})

/** The separate settings' names, and the password's file. */
const separateNames = [...Object.keys(Separate.fields), "DATABASE_PASSWORD_FILE"]

const bilingual = (message: string) => {
  const at = message.indexOf(" / ")
  return at < 0 ? { zh: message, en: message } : { zh: message.slice(0, at), en: message.slice(at + 3) }
}

const leafText = (issue: SchemaIssue.Leaf): { zh: string; en: string } => {
  if (issue._tag === "MissingKey") return { zh: "须设置", en: "must be set" }
  if (issue._tag === "InvalidValue" && typeof issue.annotations?.message === "string")
    return bilingual(issue.annotations.message)
  // The one setting whose type can be wrong is the TLS mode (the others are text).
  return { zh: `须为以下之一:${sslModes.join("、")}`, en: `must be one of: ${sslModes.join(", ")}` }
}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => JSON.stringify(leafText(issue)),
  checkHook: (issue) => {
    const message = issue.filter.annotations?.message
    return typeof message === "string" ? JSON.stringify(bilingual(message)) : undefined
  },
})

/** The first problem of each variable, in both languages; a value is never echoed. */
const problemsOf = (issue: SchemaIssue.Issue) => {
  const problems = new Map<string, { zh: string; en: string }>()
  for (const entry of formatter(issue).issues) {
    const variable = String(entry.path?.[0] ?? "")
    if (problems.has(variable)) continue
    let text: { zh: string; en: string }
    try {
      text = JSON.parse(entry.message) as { zh: string; en: string }
    } catch {
      // No member of a union matched (the TLS mode): "Expected …, got <value>" without the value.
      const expected = /^Expected (.+?)(?:, got .*)?$/su.exec(entry.message)?.[1] ?? "a valid value"
      text = { zh: `须为 ${expected}`, en: `must be ${expected}` }
    }
    problems.set(variable, text)
  }
  return [...problems].map(([variable, text]) => ({ variable, ...text }))
}

/** The separate settings, decoded; undefined when none is set. */
const separateSettings = (env: NodeJS.ProcessEnv): PostgresConnection | undefined => {
  if (!separateNames.some((name) => env[name])) return undefined
  const password = settingOrFile(env, "DATABASE_PASSWORD")
  const picked: Record<string, string> = {}
  for (const name of Object.keys(Separate.fields)) {
    const value = env[name]
    if (value) picked[name] = value
  }
  if (password !== undefined) picked.DATABASE_PASSWORD = password
  const decoded = Schema.decodeUnknownExit(Separate)(picked, { errors: "all" })
  if (decoded._tag === "Failure") {
    const failure = decoded.cause.reasons.find((reason) => reason._tag === "Fail")
    const problems = failure !== undefined && Schema.isSchemaError(failure.error) ? problemsOf(failure.error.issue) : []
    throw new SettingInvalid({
      variable: problems.map((p) => p.variable).join(", "),
      zh: `数据库设置有误:${problems.map((p) => `${p.variable} ${p.zh}`).join(";")}`,
      en: `bad database settings: ${problems.map((p) => `${p.variable} ${p.en}`).join("; ")}`,
    })
  }
  const value = decoded.value
  return {
    host: value.DATABASE_HOST,
    port: value.DATABASE_PORT ?? 5432,
    database: value.DATABASE_NAME,
    user: value.DATABASE_USER,
    password: value.DATABASE_PASSWORD,
    sslMode: value.DATABASE_SSLMODE,
  }
}

/**
 * The one place the environment chooses the database: `DATABASE_URL` or
 * `DATABASE_URL_FILE`; else the separate `DATABASE_*` settings; else the embedded
 * database in `LIANDONG_DATA` (default `.liandong/data`). Throws `SettingInvalid`
 * naming the variable when a setting cannot be used.
 */
export const storeOptionsFromEnv = (env: NodeJS.ProcessEnv = process.env): StoreOptions => {
  const dataDir = env.LIANDONG_DATA || undefined
  const preparedStatements = preparedStatementsSetting(env)
  const url = settingOrFile(env, "DATABASE_URL")
  if (url !== undefined) {
    checkDatabaseUrl(url, env.DATABASE_URL ? "DATABASE_URL" : "DATABASE_URL_FILE")
    return { databaseUrl: url, dataDir, preparedStatements }
  }
  const postgres = separateSettings(env)
  return postgres === undefined
    ? { databaseUrl: undefined, dataDir, preparedStatements }
    : { postgres, dataDir, preparedStatements }
}

const OnOff = Schema.Literals(["on", "off"])

/**
 * `DATABASE_PREPARED_STATEMENTS`: `on` (the default) or `off`, for a connection pooler that
 * cannot keep a connection's prepared statements (PgBouncer before 1.21 in transaction mode).
 */
const preparedStatementsSetting = (env: NodeJS.ProcessEnv): boolean | undefined => {
  const value = env.DATABASE_PREPARED_STATEMENTS
  if (value === undefined || value === "") return undefined
  const decoded = Schema.decodeUnknownExit(OnOff)(value)
  if (decoded._tag === "Success") return decoded.value === "on"
  throw new SettingInvalid({
    variable: "DATABASE_PREPARED_STATEMENTS",
    zh: `DATABASE_PREPARED_STATEMENTS 须为 on 或 off,而不是 ${JSON.stringify(value)}`,
    en: `DATABASE_PREPARED_STATEMENTS must be on or off, not ${JSON.stringify(value)}`,
  })
}
