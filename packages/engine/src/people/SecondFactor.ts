/**
 * An optional second factor for coordinators and auditors: a TOTP authenticator app
 * (RFC 6238), enrolled, then confirmed with a code, with ten one-time recovery codes for a
 * lost phone. Once confirmed, signing in with a password also needs a code; a time step's
 * code is accepted once. The secret is stored as is (a code cannot be checked without it);
 * recovery codes only as their SHA-256.
 */
import { createHash, randomBytes } from "node:crypto"
import { Effect, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { wallNow } from "../Clock.ts"
import { query, transaction } from "../Db.ts"
import { InvalidInput, NotAllowed } from "../Errors.ts"
import { insertPeopleLog } from "../sql/People.ts"
import {
  advanceStep,
  confirmSecondFactor as confirmRow,
  countRecoveryCodes,
  deleteSecondFactor,
  replaceRecoveryCodes,
  selectSecondFactor,
  upsertPendingSecondFactor,
  useRecoveryCode,
} from "../sql/SecondFactors.ts"
import { base32, fromBase32, matchingStep, otpauthUri, stepAt } from "./Totp.ts"

/** Recovery codes issued at confirmation. */
export const recoveryCodeCount = 10
/** The issuer an authenticator app shows beside the account. */
export const otpIssuer = "联动 Liandong"

/** A password sign-in (or act) that needs the person's one-time code, absent or wrong. */
export class SecondFactorRequired extends Schema.TaggedError<SecondFactorRequired>()("SecondFactorRequired", {}) {
  get zh(): string {
    return "需要身份验证器中的动态验证码(或一个恢复码);验证码错误也计入连续失败次数"
  }
  get en(): string {
    return "a one-time code from your authenticator app (or a recovery code) is needed; wrong codes count as failed sign-ins"
  }
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")
// Recovery codes as `xxxxx-xxxxx` in base32, lower case: 50 random bits each.
const newRecoveryCode = () => {
  const text = base32(randomBytes(7)).slice(0, 10).toLowerCase()
  return `${text.slice(0, 5)}-${text.slice(5)}`
}
const normalRecoveryCode = (code: string) => code.replace(/[\s-]/gu, "").toLowerCase()

const log = (at: Date, actor: string, action: string, subject: string, detail: Record<string, unknown> = {}) =>
  query("people.log", (db) => insertPeopleLog(db, { at, actor, action, subject, detail }))

const badInput = (zh: string, en: string) => new InvalidInput({ problems: [{ path: "code", zh, en }] })

/** Only a coordinator or an auditor, acting as themselves, turns a second factor on. */
const requireEligible = (actor: Actor, action: string) =>
  actor.kind === "principal" && (actor.role === "coordinator" || actor.role === "auditor")
    ? Effect.succeed(actor.id)
    : Effect.fail(
        new NotAllowed({
          actor: actor.id,
          action,
          zh: "只有协调人员和审计人员本人可以启用两步验证",
          en: "only coordinators and auditors, for themselves, turn on a second factor",
        }),
      )

/**
 * Starts enrolment: a new secret, returned once as an otpauth:// URI (for a QR code) and as
 * base32 text; the factor counts only once confirmed with a code.
 */
export const enrolSecondFactor = (actor: Actor) =>
  Effect.gen(function* () {
    const person = yield* requireEligible(actor, "person.second-factor.enrol")
    const existing = yield* query("second-factor.find", (db) => selectSecondFactor(db, person))
    if (existing?.confirmed_at != null)
      return yield* badInput(
        "两步验证已经启用;须先停用,才能重新登记",
        "a second factor is already on; turn it off before enrolling again",
      )
    const now = yield* wallNow
    const secret = base32(randomBytes(20))
    yield* query("second-factor.enrol", (db) => upsertPendingSecondFactor(db, person, secret, now))
    yield* log(now, person, "second-factor.enrolled", person)
    return { person, secret, uri: otpauthUri(otpIssuer, person, secret) }
  })

/** Confirms enrolment with a current code: the factor is on, and ten recovery codes are returned once. */
export const confirmSecondFactor = (code: string, actor: Actor) =>
  Effect.gen(function* () {
    const person = yield* requireEligible(actor, "person.second-factor.confirm")
    const row = yield* query("second-factor.find", (db) => selectSecondFactor(db, person))
    if (row === undefined || row.confirmed_at !== null)
      return yield* badInput("没有待确认的两步验证登记", "there is no enrolment waiting for confirmation")
    const now = yield* wallNow
    const step = matchingStep(fromBase32(row.secret), code.trim(), now)
    if (step === undefined)
      return yield* badInput(
        "验证码不正确,请输入身份验证器当前显示的 6 位数字",
        "wrong code; enter the 6 digits the authenticator app shows now",
      )
    const codes = Array.from({ length: recoveryCodeCount }, newRecoveryCode)
    yield* transaction("second-factor.confirm", (tx) =>
      Effect.gen(function* () {
        const confirmed = yield* query("second-factor.confirm", (db) => confirmRow(db, person, step, now), tx)
        if (!confirmed)
          return yield* badInput("没有待确认的两步验证登记", "there is no enrolment waiting for confirmation")
        yield* query(
          "recovery-codes.replace",
          (db) =>
            replaceRecoveryCodes(
              db,
              person,
              codes.map((c) => digest(normalRecoveryCode(c))),
              now,
            ),
          tx,
        )
        yield* query(
          "people.log",
          (db) =>
            insertPeopleLog(db, {
              at: now,
              actor: person,
              action: "second-factor.confirmed",
              subject: person,
              detail: {},
            }),
          tx,
        )
      }),
    )
    return { person, recoveryCodes: codes }
  })

/** Whether a person's second factor is on. */
export const hasSecondFactor = (person: string) =>
  Effect.map(
    query("second-factor.find", (db) => selectSecondFactor(db, person)),
    (row) => row?.confirmed_at != null,
  )

/**
 * Uses a code of a person's confirmed second factor: a TOTP code of a time step later than
 * every one accepted before (so a code seen over a shoulder cannot be used again), or an
 * unused recovery code. True when accepted.
 */
export const useSecondFactorCode = (person: string, code: string, at: Date) =>
  Effect.gen(function* () {
    const row = yield* query("second-factor.find", (db) => selectSecondFactor(db, person))
    if (row === undefined || row.confirmed_at === null) return false
    const given = code.trim()
    if (/^\d{6}$/u.test(given)) {
      const step = matchingStep(fromBase32(row.secret), given, at)
      if (step === undefined) return false
      return yield* query("second-factor.step", (db) => advanceStep(db, person, step))
    }
    const normal = normalRecoveryCode(given)
    if (!/^[a-z2-7]{10}$/u.test(normal)) return false
    const used = yield* query("recovery-code.use", (db) => useRecoveryCode(db, person, digest(normal), at))
    if (used) {
      const left = yield* query("recovery-codes.count", (db) => countRecoveryCodes(db, person))
      yield* log(at, person, "recovery-code.used", person, { left })
    }
    return used
  })

/**
 * Turns a person's second factor off: the person, giving a current code or a recovery code;
 * or the operator, for a person who lost both.
 */
export const disableSecondFactor = (personId: string, actor: Actor, code?: string) =>
  Effect.gen(function* () {
    const self = actor.kind === "principal" && actor.id === personId
    if (!self && actor.kind !== "operator")
      return yield* new NotAllowed({
        actor: actor.id,
        action: "person.second-factor.disable",
        zh: "只有本人或系统管理员可以停用两步验证",
        en: "only the person or the operator turns a second factor off",
      })
    const now = yield* wallNow
    if (self && (yield* hasSecondFactor(personId))) {
      const accepted = code !== undefined && (yield* useSecondFactorCode(personId, code, now))
      if (!accepted) return yield* new SecondFactorRequired()
    }
    const removed = yield* query("second-factor.delete", (db) => deleteSecondFactor(db, personId))
    yield* log(now, actor.id, "second-factor.disabled", personId, { removed })
    return { person: personId, removed }
  })

/** The time step of a moment, for tests and the CLI's messages. */
export { stepAt }
