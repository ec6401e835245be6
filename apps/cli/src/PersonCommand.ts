/**
 * `liandong person invite|list|reset|accept|sign-in|whoami|sign-out|sessions|sign-out-everywhere|totp`:
 * people and their passwords and sessions, from the command line, through the same engine
 * functions the web will call. Passwords and session secrets are read from files, never
 * from the command line (shell history, process lists).
 */
import { readFile } from "node:fs/promises"
import { acceptInvitation, invitePerson, resetPassword, signOutEverywhere } from "@liandong/engine/commands"
import { listPeople, listSessions } from "@liandong/engine/reads"
import {
  authenticateSession,
  confirmSecondFactor,
  disableSecondFactor,
  enrolSecondFactor,
  signIn,
  signOut,
} from "@liandong/engine/runtime"
import { Effect, Option, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { json, table, when } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

/** A file that could not be read, in both languages. */
class SecretFileError extends Schema.TaggedError<SecretFileError>()("SecretFileError", {
  zh: Schema.String,
  en: Schema.String,
}) {}

/** The first line of a file: a password, a session secret or a webhook's secret. */
export const readSecret = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (error) =>
      new SecretFileError({ zh: `无法读取文件 ${file}:${String(error)}`, en: `cannot read ${file}: ${String(error)}` }),
  }).pipe(Effect.map((text) => text.split(/\r?\n/u)[0] ?? ""))

const passwordFile = Flag.String("password-file").pipe(
  Flag.withDescription("密码所在文件(第一行)/ a file holding the password on its first line"),
)
const sessionFile = Flag.String("session-file").pipe(
  Flag.withDescription("会话密钥所在文件(第一行)/ a file holding the session secret on its first line"),
)

const shownOnce = (token: string, person: string, expiresAt: Date) =>
  `${token}\n已为 ${person} 生成邀请链接令牌,有效期至 ${when(expiresAt)};只显示这一次 / invitation token for ${person}, valid until then; shown only once`

const invite = Command.make(
  "invite",
  {
    id: Argument.String("id"),
    name: Flag.String("name"),
    role: Flag.Literals("role", ["coordinator", "unit", "auditor"]),
    unit: Flag.String("unit").pipe(Flag.optional),
    email: Flag.String("email").pipe(Flag.optional),
    mobile: Flag.String("mobile").pipe(Flag.optional),
  },
  ({ id, name, role, unit, email, mobile }) =>
    run(function* (ctx) {
      const input = {
        id,
        name,
        role,
        ...Option.match(unit, { onNone: () => ({}), onSome: (u) => ({ unit: u }) }),
        ...Option.match(email, { onNone: () => ({}), onSome: (e) => ({ email: e }) }),
        ...Option.match(mobile, { onNone: () => ({}), onSome: (m) => ({ mobile: m }) }),
      }
      const invited = yield* invitePerson(input, yield* actorFor(ctx.as))
      return ctx.json ? json(invited) : shownOnce(invited.token, invited.person, invited.expiresAt)
    }),
).pipe(Command.withDescription("邀请人员并生成一次性邀请令牌 / invite a person, with a one-time token"))

const list = Command.make("list", {}, () =>
  run(function* (ctx) {
    const rows = yield* listPeople(yield* actorFor(ctx.as))
    if (ctx.json) return json(rows)
    if (rows.length === 0) return "没有人员 / no people"
    return table(
      [
        "登录名 id",
        "姓名 name",
        "角色 role",
        "单位 unit",
        "手机 mobile",
        "邮箱 email",
        "密码 password",
        "锁定至 locked until",
      ],
      rows.map((r) => [
        r.id,
        r.name,
        r.role,
        r.unit_key ?? "—",
        r.mobile ?? "—",
        r.email ?? "—",
        r.password_set_at === null ? "未设置 not set" : when(r.password_set_at),
        when(r.locked_until),
      ]),
    )
  }),
).pipe(Command.withDescription("列出本人所管理的人员 / the people one manages"))

const reset = Command.make("reset", { id: Argument.String("id") }, ({ id }) =>
  run(function* (ctx) {
    const result = yield* resetPassword(id, yield* actorFor(ctx.as))
    return ctx.json ? json(result) : shownOnce(result.token, result.person, result.expiresAt)
  }),
).pipe(Command.withDescription("生成新的邀请令牌以重设密码 / a new invitation token to reset a password"))

const accept = Command.make("accept", { token: Argument.String("token"), passwordFile }, ({ token, passwordFile }) =>
  run(function* (ctx) {
    const result = yield* acceptInvitation(token, yield* readSecret(passwordFile))
    return ctx.json ? json(result) : `${result.person} 的密码已设置 / password set`
  }),
).pipe(Command.withDescription("凭邀请令牌设置密码 / set a password with an invitation token"))

// A one-time code may be typed: it works once, within a minute or so.
const codeFlag = Flag.String("code").pipe(
  Flag.withDescription(
    "身份验证器的动态验证码或恢复码 / a one-time code from the authenticator app, or a recovery code",
  ),
)

const signInCommand = Command.make(
  "sign-in",
  { id: Argument.String("id"), passwordFile, code: codeFlag.pipe(Flag.optional) },
  ({ id, passwordFile, code }) =>
    run(function* (ctx) {
      const session = yield* signIn(
        {
          name: id,
          password: yield* readSecret(passwordFile),
          ...Option.match(code, { onNone: () => ({}), onSome: (c) => ({ code: c }) }),
        },
        { userAgent: "liandong-cli" },
      )
      return ctx.json
        ? json(session)
        : `${session.secret}\n已登录,会话最迟于 ${when(session.expiresAt)} 结束;会话密钥只显示这一次 / signed in; the session secret is shown only once`
    }),
).pipe(Command.withDescription("以密码登录,输出会话密钥 / sign in, printing a session secret"))

const whoami = Command.make("whoami", { sessionFile }, ({ sessionFile }) =>
  run(function* (ctx) {
    const { actor } = yield* authenticateSession(yield* readSecret(sessionFile))
    if (ctx.json) return json(actor)
    return actor.kind === "principal" ? `${actor.id}(${actor.role},${actor.unit ?? "—"})` : actor.id
  }),
).pipe(Command.withDescription("会话代表的人员 / who a session stands for"))

const signOutCommand = Command.make("sign-out", { sessionFile }, ({ sessionFile }) =>
  run(function* (ctx) {
    const result = yield* signOut(yield* readSecret(sessionFile))
    return ctx.json ? json(result) : "已退出登录 / signed out"
  }),
).pipe(Command.withDescription("结束本会话 / end this session"))

const sessions = Command.make("sessions", { id: Argument.String("id") }, ({ id }) =>
  run(function* (ctx) {
    const rows = yield* listSessions(id, yield* actorFor(ctx.as))
    if (ctx.json) return json(rows)
    if (rows.length === 0) return "没有有效会话 / no open sessions"
    return table(
      ["登录 signed in", "最近使用 last seen", "结束 ends", "来源 from", "客户端 agent"],
      rows.map((r) => [
        when(r.created_at),
        when(r.last_seen_at),
        when(r.absolute_expires_at),
        r.address ?? "—",
        r.user_agent ?? "—",
      ]),
    )
  }),
).pipe(Command.withDescription("列出人员的有效会话 / a person's open sessions"))

const everywhere = Command.make("sign-out-everywhere", { id: Argument.String("id") }, ({ id }) =>
  run(function* (ctx) {
    const result = yield* signOutEverywhere(id, yield* actorFor(ctx.as))
    return ctx.json ? json(result) : `已结束 ${id} 的 ${result.ended} 个会话 / ${result.ended} sessions ended`
  }),
).pipe(Command.withDescription("结束人员的所有会话 / end every session of a person"))

const sessionActor = (file: string) =>
  Effect.flatMap(readSecret(file), (secret) =>
    Effect.map(authenticateSession(secret), (authenticated) => authenticated.actor),
  )

const totpEnrol = Command.make("enrol", { sessionFile }, ({ sessionFile }) =>
  run(function* (ctx) {
    const result = yield* enrolSecondFactor(yield* sessionActor(sessionFile))
    return ctx.json
      ? json(result)
      : `${result.uri}\n${result.secret}\n请用身份验证器扫描或输入以上密钥,再以 totp confirm 输入验证码;只显示这一次 / add this to an authenticator app, then run totp confirm with a code; shown only once`
  }),
).pipe(Command.withDescription("登记两步验证(身份验证器)/ enrol a second factor (an authenticator app)"))

const totpConfirm = Command.make("confirm", { sessionFile, code: codeFlag }, ({ sessionFile, code }) =>
  run(function* (ctx) {
    const result = yield* confirmSecondFactor(code, yield* sessionActor(sessionFile))
    return ctx.json
      ? json(result)
      : `${result.recoveryCodes.join("\n")}\n两步验证已启用。以上恢复码各可使用一次,请妥善保存;只显示这一次 / second factor on. Each recovery code works once; keep them safe; shown only once`
  }),
).pipe(Command.withDescription("以验证码确认登记,输出恢复码 / confirm with a code, printing recovery codes"))

const totpDisable = Command.make(
  "disable",
  { id: Argument.String("id"), sessionFile: sessionFile.pipe(Flag.optional), code: codeFlag.pipe(Flag.optional) },
  ({ id, sessionFile, code }) =>
    run(function* (ctx) {
      const actor = Option.isSome(sessionFile) ? yield* sessionActor(sessionFile.value) : yield* actorFor(ctx.as)
      const result = yield* disableSecondFactor(id, actor, Option.getOrUndefined(code))
      return ctx.json ? json(result) : `${id} 的两步验证已停用 / second factor off`
    }),
).pipe(
  Command.withDescription(
    "停用两步验证:本人(会话与验证码)或系统管理员 / turn a second factor off: the person (session and code) or the operator",
  ),
)

const totp = Command.make("totp").pipe(
  Command.withSubcommands([totpEnrol, totpConfirm, totpDisable]),
  Command.withDescription("两步验证(TOTP)/ the second factor (TOTP)"),
)

/** The person command group. */
export const personCommand = Command.make("person").pipe(
  Command.withSubcommands([
    invite,
    list,
    reset,
    accept,
    signInCommand,
    whoami,
    signOutCommand,
    sessions,
    everywhere,
    totp,
  ]),
  Command.withDescription("人员、密码与会话 / people, passwords and sessions"),
)
