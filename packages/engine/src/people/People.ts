/**
 * People sign in as people. A person is a principal — the same id, role and unit the
 * engine authorizes by — with contact details and a password. A coordinator invites
 * people into the units of the campaigns their office coordinates; the operator invites
 * anyone. An invitation is a one-time link token that expires; accepting it sets the
 * password. Signing in returns a session secret, once; the database keeps only the
 * SHA-256 of invitation tokens and session secrets and the argon2id hash of passwords.
 * Every time here is the wall clock's (`WallClock`), never the campaign clock.
 */
import { createHash, randomBytes } from "node:crypto"
import { Effect, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { recordDenial } from "../audit/Denials.ts"
import { wallNow } from "../Clock.ts"
import { query, transaction } from "../Db.ts"
import { InvalidInput, NotAllowed, NotFound } from "../Errors.ts"
import { decode } from "../Refs.ts"
import { unitKeyExists } from "../sql/Directory.ts"
import {
  clearFailures,
  coordinatesUnit,
  countFailure,
  insertInvitation,
  insertPeopleLog,
  insertPerson,
  insertSession,
  rehashCredentials,
  revokeOpenInvitations,
  revokeSession,
  revokeSessionsOf,
  selectOpenInvitation,
  selectOpenSessions,
  selectPeople,
  selectPersonForSignIn,
  selectPersonRole,
  selectSessionForAuthentication,
  touchSession,
  upsertCredentials,
  useInvitation,
} from "../sql/People.ts"
import { Unauthenticated } from "../Tokens.ts"
import { dummyHash, hashPassword, maximumLength, passwordProblems, verifyPassword } from "./Passwords.ts"
import { hasSecondFactor, SecondFactorRequired, useSecondFactorCode } from "./SecondFactor.ts"

/** How long an invitation link works. */
export const invitationHours = 72
/** Failed sign-ins in a row that lock a person out… */
export const lockAfterFailures = 5
/** …for this long. */
export const lockMinutes = 15
/** A session unused this long ends… */
export const sessionIdleMinutes = 120
/** …and one ends this long after sign-in however much it is used. */
export const sessionAbsoluteHours = 12
/** A session's last use is recorded at most this often. */
export const touchEveryMs = 60_000

const digest = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex")
const secretPattern = /^[A-Za-z0-9_-]{43}$/u

/** An invitation that is unknown, used, revoked or expired: one answer for all. */
export class InvitationInvalid extends Schema.TaggedError<InvitationInvalid>()("InvitationInvalid", {}) {
  get zh(): string {
    return "邀请链接无效或已过期"
  }
  get en(): string {
    return "the invitation is not valid or has expired"
  }
}

/** A refused sign-in: one answer whether the name is unknown, the password wrong or the person locked out. */
export class SignInRefused extends Schema.TaggedError<SignInRefused>()("SignInRefused", {}) {
  get zh(): string {
    return `登录名或密码不正确;连续失败 ${lockAfterFailures} 次将锁定 ${lockMinutes} 分钟`
  }
  get en(): string {
    return `wrong name or password; ${lockAfterFailures} failures in a row lock the account for ${lockMinutes} minutes`
  }
}

/** A mainland mobile number, with or without +86. */
export const Mobile = Schema.String.check(
  Schema.isPattern(/^(\+86)?1[3-9]\d{9}$/u, {
    message: "手机号须为 11 位中国大陆手机号 / must be an 11-digit mainland mobile number",
  }),
)

/** An e-mail address, checked for shape only. */
export const Email = Schema.String.check(
  Schema.isPattern(/^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/u, {
    message: "电子邮箱格式不正确 / must be an e-mail address",
  }),
)

/** A person as invited. */
export const PersonInput = Schema.Struct({
  id: Schema.String.check(
    Schema.isPattern(/^[a-z0-9][a-z0-9._-]{0,62}$/u, {
      message: "登录名须为小写字母、数字、点、下划线或连字符 / lower-case letters, digits, dot, underscore or dash",
    }),
  ),
  name: Schema.NonEmptyString,
  role: Schema.Literals(["coordinator", "unit", "auditor"]),
  unit: Schema.optional(Schema.String),
  mobile: Schema.optional(Mobile),
  email: Schema.optional(Email),
})

/** What signing in is given. */
export const SignInInput = Schema.Struct({
  name: Schema.String.check(Schema.isMaxLength(64)),
  password: Schema.String,
  /** the one-time code (or a recovery code) of a person whose second factor is on */
  code: Schema.optional(Schema.String.check(Schema.isMaxLength(32))),
})

/** Where a sign-in comes from, as the caller gives it. */
export interface SignInContext {
  readonly userAgent?: string | undefined
  readonly address?: string | undefined
}

const log = (actor: string, action: string, subject: string, detail: Record<string, unknown> = {}) =>
  Effect.flatMap(wallNow, (at) =>
    query("people.log", (db) => insertPeopleLog(db, { at, actor, action, subject, detail })),
  )

/**
 * An invitation's secret: 32 random bytes in base64url, never beginning with "-", which a
 * command line takes for a flag (`liandong person accept <token>` refused one in 64).
 */
export const invitationSecret = (random: (size: number) => Buffer = randomBytes): string => {
  for (;;) {
    const token = random(32).toString("base64url")
    if (!token.startsWith("-")) return token
  }
}

const newInvitation = (principal: string, createdBy: string, now: Date) => {
  const token = invitationSecret()
  return {
    token,
    row: {
      id: randomBytes(6).toString("hex"),
      tokenHash: digest(token),
      principal,
      createdBy,
      expiresAt: new Date(now.getTime() + invitationHours * 3_600_000),
    },
  }
}

/**
 * Whether the actor manages a person of this role and unit: the operator anyone; a
 * coordinator the unit contacts of units its office's campaigns name.
 */
const managesPerson = (actor: Actor, person: { role: string; unit: string | null }) => {
  if (actor.kind === "operator") return Effect.succeed(true)
  if (actor.kind !== "principal" || actor.role !== "coordinator" || actor.unit === null) return Effect.succeed(false)
  if (person.role !== "unit" || person.unit === null) return Effect.succeed(false)
  const office = actor.unit
  const unit = person.unit
  return query("people.coordinates", (db) => coordinatesUnit(db, office, unit))
}

const refuse = <E extends NotAllowed | NotFound>(actor: Actor, action: string, target: string, error: E) =>
  Effect.andThen(
    Effect.ignore(
      Effect.andThen(
        recordDenial(null, actor, action, target, error),
        log(actor.id, "refused", target, { action, reason: error.en }),
      ),
    ),
    Effect.fail(error),
  )

/**
 * Invites a person: adds them and returns a one-time link token, shown once and never
 * stored. A coordinator invites unit contacts into units its campaigns name; the operator
 * invites anyone. Recorded in the people log (who invited whom, never the token).
 */
export const invitePerson = (input: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const person = yield* decode(PersonInput, input)
    if (person.role !== "auditor" && person.unit === undefined) {
      return yield* new InvalidInput({
        problems: [
          {
            path: "unit",
            zh: "协调人员和单位联络员必须属于一个单位",
            en: "coordinators and unit contacts belong to a unit",
          },
        ],
      })
    }
    const unit = person.unit ?? null
    if (!(yield* managesPerson(actor, { role: person.role, unit }))) {
      return yield* refuse(
        actor,
        "person.invite",
        unit ?? person.id,
        new NotAllowed({
          actor: actor.id,
          action: "person.invite",
          zh: `“${actor.id}”无权邀请${unit === null ? "" : `单位“${unit}”的`}人员(${person.role})`,
          en: `"${actor.id}" may not invite a ${person.role}${unit === null ? "" : ` into unit "${unit}"`}`,
        }),
      )
    }
    if (unit !== null && !(yield* query("units.find", (db) => unitKeyExists(db, unit)))) {
      return yield* new InvalidInput({
        problems: [{ path: "unit", zh: `单位“${unit}”不存在`, en: `unit "${unit}" does not exist` }],
      })
    }
    const now = yield* wallNow
    const invitation = newInvitation(person.id, actor.id, now)
    yield* transaction("person.invite", (tx) =>
      Effect.gen(function* () {
        const added = yield* query(
          "person.insert",
          (db) =>
            insertPerson(db, {
              id: person.id,
              name: person.name,
              role: person.role,
              unit,
              mobile: person.mobile ?? null,
              email: person.email ?? null,
            }),
          tx,
        )
        if (!added) {
          return yield* new InvalidInput({
            problems: [{ path: "id", zh: `登录名“${person.id}”已被使用`, en: `the name "${person.id}" is taken` }],
          })
        }
        yield* query("invitation.insert", (db) => insertInvitation(db, invitation.row), tx)
        yield* query(
          "people.log",
          (db) =>
            insertPeopleLog(db, {
              at: now,
              actor: actor.id,
              action: "invited",
              subject: person.id,
              detail: { invitation: invitation.row.id, role: person.role, unit },
            }),
          tx,
        )
      }),
    )
    return { person: person.id, token: invitation.token, expiresAt: invitation.row.expiresAt }
  })

/**
 * A new invitation link for a person who forgot their password (or never set one): the
 * old links stop working, the password and the sessions stay until the link is used.
 * A person the actor does not manage is "not found".
 */
export const resetPassword = (personId: string, actor: Actor) =>
  Effect.gen(function* () {
    const person = yield* query("person.role", (db) => selectPersonRole(db, personId))
    const allowed = person !== undefined && (yield* managesPerson(actor, { role: person.role, unit: person.unit_key }))
    if (!allowed)
      return yield* refuse(actor, "person.reset", personId, new NotFound({ what: "principal", ref: personId }))
    const now = yield* wallNow
    const invitation = newInvitation(personId, actor.id, now)
    yield* transaction("person.reset", (tx) =>
      Effect.gen(function* () {
        yield* query("invitation.revoke", (db) => revokeOpenInvitations(db, personId, now), tx)
        yield* query("invitation.insert", (db) => insertInvitation(db, invitation.row), tx)
        yield* query(
          "people.log",
          (db) =>
            insertPeopleLog(db, {
              at: now,
              actor: actor.id,
              action: "reset",
              subject: personId,
              detail: { invitation: invitation.row.id },
            }),
          tx,
        )
      }),
    )
    return { person: personId, token: invitation.token, expiresAt: invitation.row.expiresAt }
  })

const policy = (password: string, person: { id: string; name: string; mobile: string | null }) => {
  const problems = passwordProblems(password, person)
  return problems.length === 0
    ? Effect.void
    : Effect.fail(
        new InvalidInput({ problems: problems.map((p) => ({ path: `password (${p.rule})`, zh: p.zh, en: p.en })) }),
      )
}

/**
 * Sets the password with an invitation's token; the token then works no more, and any
 * sessions the person had end. Unknown, used, revoked and expired tokens get one answer.
 */
export const acceptInvitation = (token: string, password: string) =>
  Effect.gen(function* () {
    const now = yield* wallNow
    const tokenHash = digest(token)
    const found = secretPattern.test(token)
      ? yield* query("invitation.find", (db) => selectOpenInvitation(db, tokenHash, now))
      : undefined
    if (found === undefined) return yield* new InvitationInvalid()
    yield* policy(password, { id: found.principal, name: found.name, mobile: found.mobile })
    const hash = yield* hashPassword(password)
    yield* transaction("invitation.accept", (tx) =>
      Effect.gen(function* () {
        const used = yield* query("invitation.use", (db) => useInvitation(db, tokenHash, now), tx)
        if (used === undefined) return yield* new InvitationInvalid()
        yield* query("credentials.set", (db) => upsertCredentials(db, used.principal_id, hash, now), tx)
        yield* query("sessions.revoke", (db) => revokeSessionsOf(db, used.principal_id, now), tx)
        yield* query(
          "people.log",
          (db) =>
            insertPeopleLog(db, {
              at: now,
              actor: used.principal_id,
              action: "accepted",
              subject: used.principal_id,
              detail: { invitation: used.id },
            }),
          tx,
        )
      }),
    )
    return { person: found.principal }
  })

/** Opens a session for a person already authenticated: its secret, once. */
export const openSession = (principal: string, context: SignInContext, now: Date) =>
  Effect.gen(function* () {
    const secret = randomBytes(32).toString("base64url")
    const id = digest(secret)
    const absoluteExpiresAt = new Date(now.getTime() + sessionAbsoluteHours * 3_600_000)
    const idleExpiresAt = new Date(now.getTime() + sessionIdleMinutes * 60_000)
    yield* query("session.insert", (db) =>
      insertSession(db, {
        id,
        principal,
        at: now,
        idleExpiresAt,
        absoluteExpiresAt,
        userAgent: context.userAgent?.slice(0, 512) ?? null,
        address: context.address?.slice(0, 64) ?? null,
      }),
    )
    return { secret, session: id, expiresAt: absoluteExpiresAt }
  })

/**
 * Signs a person in: a session secret, returned once. Unknown names, wrong passwords,
 * locked and disabled people get the same answer after the same work (an unknown name is
 * checked against a dummy hash). Failures in a row lock the person out for a while; each
 * attempt is in the people log. A person whose second factor is on also gives a code:
 * without one, or with a wrong one (which counts as a failure), `SecondFactorRequired`.
 */
export const signIn = (input: unknown, context: SignInContext = {}) =>
  Effect.gen(function* () {
    const given = yield* decode(SignInInput, input)
    const row = yield* query("signin.find", (db) => selectPersonForSignIn(db, given.name))
    const stored = row?.password_hash ?? (yield* dummyHash)
    const password = given.password.length > maximumLength * 4 ? "" : given.password
    const checked = yield* verifyPassword(password, stored)
    const now = yield* wallNow
    const locked = row?.locked_until != null && new Date(row.locked_until).getTime() > now.getTime()
    const reason =
      row === undefined
        ? "unknown"
        : row.password_hash === null
          ? "no-password"
          : row.disabled_at !== null
            ? "disabled"
            : locked
              ? "locked"
              : checked.ok
                ? undefined
                : "wrong"
    if (reason !== undefined || row === undefined) {
      if (reason === "wrong" && row !== undefined) {
        const lockUntil = new Date(now.getTime() + lockMinutes * 60_000)
        yield* query("signin.fail", (db) => countFailure(db, row.id, lockAfterFailures, lockUntil))
      }
      yield* log(given.name, "sign-in.refused", given.name, { reason: reason ?? "unknown" })
      return yield* new SignInRefused()
    }
    if (yield* hasSecondFactor(row.id)) {
      const accepted = given.code !== undefined && (yield* useSecondFactorCode(row.id, given.code, now))
      if (!accepted) {
        // A wrong code counts as a failure, as a wrong password does; none given is a question, not a guess.
        if (given.code !== undefined) {
          const lockUntil = new Date(now.getTime() + lockMinutes * 60_000)
          yield* query("signin.fail", (db) => countFailure(db, row.id, lockAfterFailures, lockUntil))
        }
        const why = given.code === undefined ? "second-factor-missing" : "second-factor-wrong"
        yield* log(given.name, "sign-in.refused", given.name, { reason: why })
        return yield* new SecondFactorRequired()
      }
    }
    // The lock is checked again where it is cleared: parallel guesses may have set it since.
    if (!(yield* query("signin.clear", (db) => clearFailures(db, row.id, now)))) {
      yield* log(given.name, "sign-in.refused", given.name, { reason: "locked" })
      return yield* new SignInRefused()
    }
    if (checked.rehash) {
      const hash = yield* hashPassword(password)
      yield* query("signin.rehash", (db) => rehashCredentials(db, row.id, hash))
    }
    const session = yield* openSession(row.id, context, now)
    yield* log(row.id, "signed-in", row.id, { address: context.address ?? null })
    return session
  })

/**
 * The actor a session secret stands for, with the session's id; idle and absolute expiry
 * are enforced, and the last use recorded at most once a minute.
 */
export const authenticateSession = (secret: string | undefined) =>
  Effect.gen(function* () {
    if (secret === undefined || secret === "") return yield* new Unauthenticated({ reason: "missing" })
    if (!secretPattern.test(secret)) return yield* new Unauthenticated({ reason: "malformed" })
    const id = digest(secret)
    const row = yield* query("session.find", (db) => selectSessionForAuthentication(db, id))
    if (row === undefined) return yield* new Unauthenticated({ reason: "unknown" })
    if (row.revoked_at !== null) return yield* new Unauthenticated({ reason: "revoked" })
    const now = yield* wallNow
    const t = now.getTime()
    if (new Date(row.idle_expires_at).getTime() <= t || new Date(row.absolute_expires_at).getTime() <= t) {
      return yield* new Unauthenticated({ reason: "expired" })
    }
    if (row.disabled_at !== null) return yield* new Unauthenticated({ reason: "disabled" })
    if (t - new Date(row.last_seen_at).getTime() >= touchEveryMs) {
      const idle = new Date(Math.min(t + sessionIdleMinutes * 60_000, new Date(row.absolute_expires_at).getTime()))
      yield* query("session.touch", (db) => touchSession(db, id, now, idle))
    }
    const actor = { kind: "principal", id: row.id, role: row.role, unit: row.unit_key } satisfies Actor as Actor
    return { actor, session: id }
  })

/** Ends the session of this secret (signing out here); nothing happens for an unknown one. */
export const signOut = (secret: string) =>
  Effect.gen(function* () {
    const now = yield* wallNow
    const revoked = secretPattern.test(secret)
      ? yield* query("session.revoke", (db) => revokeSession(db, digest(secret), now))
      : undefined
    if (revoked !== undefined) yield* log(revoked.principal_id, "signed-out", revoked.principal_id)
    return { signedOut: revoked !== undefined }
  })

/** Whether the actor may see and end a person's sessions: the person, or whoever manages them. */
const requireSelfOrManager = (personId: string, actor: Actor, action: string) =>
  Effect.gen(function* () {
    if (actor.kind === "principal" && actor.id === personId) return
    const person = yield* query("person.role", (db) => selectPersonRole(db, personId))
    const allowed = person !== undefined && (yield* managesPerson(actor, { role: person.role, unit: person.unit_key }))
    if (!allowed) return yield* refuse(actor, action, personId, new NotFound({ what: "principal", ref: personId }))
  })

/** Ends every session of a person (signing out everywhere): the person, their manager or the operator. */
export const signOutEverywhere = (personId: string, actor: Actor) =>
  Effect.gen(function* () {
    yield* requireSelfOrManager(personId, actor, "person.sign-out-everywhere")
    const now = yield* wallNow
    const ended = yield* query("sessions.revoke", (db) => revokeSessionsOf(db, personId, now))
    yield* log(actor.id, "signed-out-everywhere", personId, { sessions: ended })
    return { person: personId, ended }
  })

/** A person's open sessions, newest first: when and where from (never a secret). */
export const listSessions = (personId: string, actor: Actor) =>
  Effect.gen(function* () {
    yield* requireSelfOrManager(personId, actor, "person.sessions")
    const now = yield* wallNow
    return yield* query("sessions.list", (db) => selectOpenSessions(db, personId, now))
  })

/**
 * A person changes their own password, giving the current one (a wrong one counts as a
 * failed sign-in). Every other session ends; `keep` names the session to keep, by secret.
 */
export const changePassword = (current: string, next: string, actor: Actor, keep?: string) =>
  Effect.gen(function* () {
    if (actor.kind !== "principal") {
      return yield* new NotAllowed({
        actor: actor.id,
        action: "person.change-password",
        zh: "只有本人可以修改自己的密码",
        en: "only a person changes their own password",
      })
    }
    const row = yield* query("signin.find", (db) => selectPersonForSignIn(db, actor.id))
    const stored = row?.password_hash ?? (yield* dummyHash)
    const checked = yield* verifyPassword(current, stored)
    const now = yield* wallNow
    const locked = row?.locked_until != null && new Date(row.locked_until).getTime() > now.getTime()
    if (row === undefined || row.password_hash === null || locked || !checked.ok) {
      if (row?.password_hash != null && !locked) {
        const lockUntil = new Date(now.getTime() + lockMinutes * 60_000)
        yield* query("signin.fail", (db) => countFailure(db, row.id, lockAfterFailures, lockUntil))
      }
      yield* log(actor.id, "password.refused", actor.id)
      return yield* new SignInRefused()
    }
    yield* policy(next, { id: row.id, name: row.name, mobile: row.mobile })
    const hash = yield* hashPassword(next)
    const kept = keep !== undefined && secretPattern.test(keep) ? digest(keep) : undefined
    yield* transaction("password.change", (tx) =>
      Effect.gen(function* () {
        yield* query("credentials.set", (db) => upsertCredentials(db, row.id, hash, now), tx)
        yield* query("sessions.revoke", (db) => revokeSessionsOf(db, row.id, now, kept), tx)
        yield* query(
          "people.log",
          (db) =>
            insertPeopleLog(db, { at: now, actor: row.id, action: "password.changed", subject: row.id, detail: {} }),
          tx,
        )
      }),
    )
    return { person: row.id }
  })

/**
 * The people the actor manages, with contact details, whether a password is set and until
 * when they are locked out: everyone for the operator; for a coordinator, the unit contacts
 * of units its office's campaigns name.
 */
export const listPeople = (actor: Actor) =>
  Effect.gen(function* () {
    const scope =
      actor.kind === "operator"
        ? ("all" as const)
        : actor.kind === "principal" && actor.role === "coordinator" && actor.unit !== null
          ? { coordinator: actor.unit }
          : undefined
    if (scope === undefined) {
      return yield* refuse(
        actor,
        "person.list",
        "people",
        new NotAllowed({
          actor: actor.id,
          action: "person.list",
          zh: "只有协调人员和系统管理员可以查看人员名单",
          en: "only coordinators and the operator list people",
        }),
      )
    }
    return yield* query("people.list", (db) => selectPeople(db, scope))
  })
