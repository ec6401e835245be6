/**
 * The second factor: an auditor enrols an authenticator app, confirms it with a code and
 * gets ten recovery codes; from then on a password alone is not enough, a code counts once,
 * wrong codes count toward the lock-out, a recovery code works once, and the person (with a
 * code) or the operator turns it off. Unit contacts cannot turn it on. Times are the wall
 * clock's, moved by the test.
 */
import type { Database } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import type { Kysely } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import { WallClock } from "../src/Clock.ts"
import {
  acceptInvitation,
  authenticateSession,
  confirmSecondFactor,
  Db,
  disableSecondFactor,
  enrolSecondFactor,
  invitePerson,
  lockAfterFailures,
  operator,
  signIn,
} from "../src/index.ts"
import { codeAt, fromBase32, stepAt, stepSeconds } from "../src/people/Totp.ts"
import { deployFixture, testEngine } from "./support.ts"

const password = "春风又绿江南岸-2026"

describeEachDatabase("the second factor", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  let wall = Date.parse("2026-04-12T09:00:00+08:00")
  const clock = { now: Effect.sync(() => new Date(wall)) }
  const run = <A, E>(effect: Effect.Effect<A, E, any>) =>
    engine.run(Effect.provideService(effect, WallClock, clock) as Effect.Effect<A, E, never>)
  const tagOf = async <A, E>(effect: Effect.Effect<A, E, any>) =>
    (
      (await engine.failure(Effect.provideService(effect, WallClock, clock) as Effect.Effect<A, E, never>)) as {
        _tag: string
      }
    )._tag
  const rows = <A>(read: (db: Kysely<Database>) => Promise<A>) =>
    engine.run(Effect.flatMap(Effect.service(Db), (db) => Effect.promise(() => read(db.kysely))))
  const codeNow = (secret: string, offsetSteps = 0) => codeAt(fromBase32(secret), stepAt(new Date(wall)) + offsetSteps)
  const nextStep = () => {
    wall += stepSeconds * 1000
  }

  /** Invites an auditor, sets their password, signs in and turns the second factor on. */
  const enrolled = async () => {
    const invited = await run(invitePerson({ id: "shen", name: "沈审计", role: "auditor" }, operator))
    await run(acceptInvitation(invited.token, password))
    const { actor } = await run(authenticateSession((await run(signIn({ name: "shen", password }))).secret))
    const enrolment = await run(enrolSecondFactor(actor))
    const confirmed = await run(confirmSecondFactor(codeNow(enrolment.secret), actor))
    nextStep()
    return { actor, enrolment, confirmed }
  }

  beforeEach(async () => {
    wall = Date.parse("2026-04-12T09:00:00+08:00")
    engine = testEngine(ctx.store())
    await deployFixture(engine)
  })
  afterEach(() => engine.dispose())

  it("enrols with a URI for the app, confirms with a code, and keeps recovery codes only hashed", async () => {
    const invited = await run(invitePerson({ id: "shen", name: "沈审计", role: "auditor" }, operator))
    await run(acceptInvitation(invited.token, password))
    const { actor } = await run(authenticateSession((await run(signIn({ name: "shen", password }))).secret))
    const enrolment = await run(enrolSecondFactor(actor))
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/.+:shen\?secret=[A-Z2-7]{32}&issuer=.+&digits=6&period=30$/u)
    // not on until confirmed: a password still suffices
    await run(signIn({ name: "shen", password }))
    expect(await tagOf(confirmSecondFactor("000000", actor))).toBe("InvalidInput")
    const confirmed = await run(confirmSecondFactor(codeNow(enrolment.secret), actor))
    expect(confirmed.recoveryCodes).toHaveLength(10)
    expect(new Set(confirmed.recoveryCodes).size).toBe(10)
    const stored = JSON.stringify(await rows((db) => db.selectFrom("recovery_codes").selectAll().execute()))
    for (const code of confirmed.recoveryCodes) expect(stored).not.toContain(code)
    expect(await tagOf(enrolSecondFactor(actor))).toBe("InvalidInput")
  })

  it("asks for a code, accepts a code once, and counts wrong codes toward the lock-out", async () => {
    const { enrolment } = await enrolled()
    expect(await tagOf(signIn({ name: "shen", password }))).toBe("SecondFactorRequired")
    const code = codeNow(enrolment.secret)
    const session = await run(signIn({ name: "shen", password, code }))
    expect((await run(authenticateSession(session.secret))).actor.id).toBe("shen")
    // the same code again, in the same step: seen over a shoulder, it opens nothing
    expect(await tagOf(signIn({ name: "shen", password, code }))).toBe("SecondFactorRequired")
    nextStep()
    await run(signIn({ name: "shen", password, code: codeNow(enrolment.secret) }))
    nextStep()
    const wrong = codeNow(enrolment.secret, 5)
    for (let i = 0; i < lockAfterFailures; i++)
      expect(await tagOf(signIn({ name: "shen", password, code: wrong }))).toBe("SecondFactorRequired")
    expect(await tagOf(signIn({ name: "shen", password, code: codeNow(enrolment.secret) }))).toBe("SignInRefused")
    const reasons = await rows((db) =>
      db.selectFrom("people_log").select("detail").where("action", "=", "sign-in.refused").orderBy("id").execute(),
    )
    expect(reasons.map((r) => (r.detail as { reason: string }).reason)).toEqual([
      "second-factor-missing",
      "second-factor-wrong",
      ...Array(lockAfterFailures).fill("second-factor-wrong"),
      "locked",
    ])
  })

  it("takes a recovery code once; the person turns it off with a code, the operator without", async () => {
    const { actor, enrolment, confirmed } = await enrolled()
    const recovery = confirmed.recoveryCodes[0] as string
    await run(signIn({ name: "shen", password, code: recovery.toUpperCase() }))
    expect(await tagOf(signIn({ name: "shen", password, code: recovery }))).toBe("SecondFactorRequired")
    expect(await tagOf(disableSecondFactor("shen", actor))).toBe("SecondFactorRequired")
    expect(await run(disableSecondFactor("shen", actor, codeNow(enrolment.secret)))).toEqual({
      person: "shen",
      removed: true,
    })
    await run(signIn({ name: "shen", password }))
    // on again, and the operator turns it off for a person who lost their phone
    const again = await run(enrolSecondFactor(actor))
    await run(confirmSecondFactor(codeNow(again.secret), actor))
    expect(await tagOf(signIn({ name: "shen", password }))).toBe("SecondFactorRequired")
    await run(disableSecondFactor("shen", operator))
    await run(signIn({ name: "shen", password }))
    const log = await rows((db) =>
      db
        .selectFrom("people_log")
        .select(["actor", "action"])
        .where("action", "like", "second-factor%")
        .orderBy("id")
        .execute(),
    )
    expect(log.map((l) => `${l.actor} ${l.action}`)).toEqual([
      "shen second-factor.enrolled",
      "shen second-factor.confirmed",
      "shen second-factor.disabled",
      "shen second-factor.enrolled",
      "shen second-factor.confirmed",
      "operator second-factor.disabled",
    ])
  })

  it("is for coordinators and auditors: a unit contact cannot turn it on", async () => {
    const invited = await run(invitePerson({ id: "zhang", name: "张联络员", role: "unit", unit: "county-a" }, operator))
    await run(acceptInvitation(invited.token, password))
    const { actor } = await run(authenticateSession((await run(signIn({ name: "zhang", password }))).secret))
    expect(await tagOf(enrolSecondFactor(actor))).toBe("NotAllowed")
  })
})

it("makes RFC 6238's codes (its SHA-1 test vectors, last six digits)", () => {
  const secret = Buffer.from("12345678901234567890")
  const at = (seconds: number) => codeAt(secret, stepAt(new Date(seconds * 1000)))
  expect([at(59), at(1111111109), at(1234567890), at(2000000000)]).toEqual(["287082", "081804", "005924", "279037"])
})
