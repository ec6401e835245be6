/**
 * People sign in as people: invited by a coordinator or the operator, a password set
 * through a one-time link, sessions with idle and absolute expiry, lock-out after
 * failures, and no answer that tells whether a name exists. Times are the wall clock's,
 * moved by the test.
 */
import { argon2Sync, randomBytes } from "node:crypto"
import type { Database } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import type { Kysely } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import { WallClock } from "../src/Clock.ts"
import {
  acceptInvitation,
  addPrincipal,
  authenticateSession,
  changePassword,
  Db,
  deploy,
  type InvalidInput,
  invitePerson,
  listPeople,
  listSessions,
  lockAfterFailures,
  lockMinutes,
  operator,
  resetPassword,
  sessionAbsoluteHours,
  sessionIdleMinutes,
  signIn,
  signOut,
  signOutEverywhere,
  startCampaign,
  taskDetail,
} from "../src/index.ts"
import { invitationSecret } from "../src/people/People.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, testEngine } from "./support.ts"

/** Another office's campaign, naming a unit spring-week does not. */
const harvest = {
  ...springWeek,
  key: "harvest",
  title: "丙市丰收节",
  coordinator: "other-city",
  units: [
    { key: "other-city", name: "丙市知识产权局", role: "host", level: "city" },
    { key: "county-c", name: "丙县知识产权局", role: "subordinate", parent: "other-city", level: "county" },
  ],
  phases: springWeek.phases.map((phase) => ({
    ...phase,
    tasks: phase.tasks.map((task) => ({ ...task, assign: { units: ["county-c"] } })),
  })),
}

const password = "春风又绿江南岸-2026"

describeEachDatabase("people", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  let wall = Date.parse("2026-04-12T09:00:00+08:00")
  const clock = { now: Effect.sync(() => new Date(wall)) }
  const run = <A, E>(effect: Effect.Effect<A, E, any>) =>
    engine.run(Effect.provideService(effect, WallClock, clock) as Effect.Effect<A, E, never>)
  const failure = <A, E>(effect: Effect.Effect<A, E, any>) =>
    engine.failure(Effect.provideService(effect, WallClock, clock) as Effect.Effect<A, E, never>)
  const rows = <A>(read: (db: Kysely<Database>) => Promise<A>) =>
    engine.run(Effect.flatMap(Effect.service(Db), (db) => Effect.promise(() => read(db.kysely))))
  const minutes = (n: number) => {
    wall += n * 60_000
  }

  beforeEach(async () => {
    wall = Date.parse("2026-04-12T09:00:00+08:00")
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(deploy(harvest, operator))
    await engine.run(
      addPrincipal({ id: "other-lead", name: "丙市局长", role: "coordinator", unit: "other-city" }, operator),
    )
  })
  afterEach(() => engine.dispose())

  const invite = async (id: string, unit: string, by = "lead") =>
    run(
      invitePerson(
        { id, name: `${unit}联络员`, role: "unit", unit, mobile: "13800138000", email: `${id}@example.cn` },
        await engine.actor(by),
      ),
    )

  it("never gives an invitation a secret that a command line would take for a flag", () => {
    // 0xf8 makes the first base64url character "-": such a draw is thrown away.
    const draws = [Buffer.alloc(32, 0xf8), Buffer.alloc(32, 0x41)]
    const token = invitationSecret(() => draws.shift() as Buffer)
    expect(token).toBe(Buffer.alloc(32, 0x41).toString("base64url"))
    expect(draws).toEqual([])
    expect(Buffer.alloc(32, 0xf8).toString("base64url").startsWith("-")).toBe(true)
  })

  it("invite → accept → sign in → the session authenticates as the person → sign out", async () => {
    const invited = await invite("zhang-a", "county-a")
    expect(invited.token).toMatch(/^[A-Za-z0-9_-]{43}$/u)
    expect(await run(acceptInvitation(invited.token, password))).toEqual({ person: "zhang-a" })
    const session = await run(signIn({ name: "zhang-a", password }, { userAgent: "测试浏览器", address: "10.0.0.7" }))
    const authenticated = await run(authenticateSession(session.secret))
    expect(authenticated.actor).toEqual({ kind: "principal", id: "zhang-a", role: "unit", unit: "county-a" })
    const listed = await run(listSessions("zhang-a", authenticated.actor))
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({ user_agent: "测试浏览器", address: "10.0.0.7" })
    expect(await run(signOut(session.secret))).toEqual({ signedOut: true })
    expect(((await failure(authenticateSession(session.secret))) as { reason: string }).reason).toBe("revoked")
    // who invited whom, who signed in and out: in the people log, naming the people
    const log = await rows((db) =>
      db
        .selectFrom("people_log")
        .select(["actor", "action", "subject"])
        .where("subject", "=", "zhang-a")
        .orderBy("id")
        .execute(),
    )
    expect(log).toEqual([
      { actor: "lead", action: "invited", subject: "zhang-a" },
      { actor: "zhang-a", action: "accepted", subject: "zhang-a" },
      { actor: "zhang-a", action: "signed-in", subject: "zhang-a" },
      { actor: "zhang-a", action: "signed-out", subject: "zhang-a" },
    ])
    const contact = await rows((db) =>
      db.selectFrom("principals").select(["mobile", "email"]).where("id", "=", "zhang-a").executeTakeFirstOrThrow(),
    )
    expect(contact).toEqual({ mobile: "13800138000", email: "zhang-a@example.cn" })
  })

  it("a session ends when idle too long, and after its absolute lifetime however used", async () => {
    const invited = await invite("zhang-a", "county-a")
    await run(acceptInvitation(invited.token, password))
    const idle = await run(signIn({ name: "zhang-a", password }))
    minutes(sessionIdleMinutes + 1)
    expect(((await failure(authenticateSession(idle.secret))) as { reason: string }).reason).toBe("expired")
    const busy = await run(signIn({ name: "zhang-a", password }))
    // used every half idle period, it lives until its absolute end and no longer
    const steps = Math.floor((sessionAbsoluteHours * 60) / (sessionIdleMinutes / 2))
    for (let i = 1; i < steps; i++) {
      minutes(sessionIdleMinutes / 2)
      await run(authenticateSession(busy.secret))
    }
    minutes(sessionIdleMinutes / 2)
    expect(((await failure(authenticateSession(busy.secret))) as { reason: string }).reason).toBe("expired")
  })

  it("a session's last use is written at most once a minute", async () => {
    const invited = await invite("zhang-a", "county-a")
    await run(acceptInvitation(invited.token, password))
    const session = await run(signIn({ name: "zhang-a", password }))
    const lastSeen = () =>
      rows((db) => db.selectFrom("sessions").select("last_seen_at").executeTakeFirstOrThrow()).then((r) =>
        new Date(r.last_seen_at).getTime(),
      )
    const signedInAt = await lastSeen()
    wall += 30_000
    await run(authenticateSession(session.secret))
    expect(await lastSeen()).toBe(signedInAt)
    wall += 31_000
    await run(authenticateSession(session.secret))
    expect(await lastSeen()).toBe(wall)
  })

  it("a hash made with older parameters is replaced at the next sign-in", async () => {
    const invited = await invite("zhang-a", "county-a")
    await run(acceptInvitation(invited.token, password))
    const salt = randomBytes(16)
    const old = argon2Sync("argon2id", {
      message: Buffer.from(password),
      nonce: salt,
      memory: 8192,
      passes: 3,
      parallelism: 1,
      tagLength: 32,
    })
    const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/u, "")
    await rows((db) =>
      db
        .updateTable("credentials")
        .set({ password_hash: `$argon2id$v=19$m=8192,t=3,p=1$${b64(salt)}$${b64(old)}` })
        .execute(),
    )
    await run(signIn({ name: "zhang-a", password }))
    const stored = await rows((db) => db.selectFrom("credentials").select("password_hash").executeTakeFirstOrThrow())
    expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/u)
    // and it still checks
    expect((await run(signIn({ name: "zhang-a", password }))).secret).toHaveLength(43)
  })

  it("wrong passwords lock a person out, the lock lifts after its time, and an unknown name reads the same", async () => {
    const invited = await invite("zhang-a", "county-a")
    await run(acceptInvitation(invited.token, password))
    const wrong = await failure(signIn({ name: "zhang-a", password: "不对的密码-123456" }))
    const unknown = await failure(signIn({ name: "nobody", password: "不对的密码-123456" }))
    expect(wrong._tag).toBe("SignInRefused")
    expect(unknown._tag).toBe(wrong._tag)
    expect([(unknown as { zh: string }).zh, (unknown as { en: string }).en]).toEqual([
      (wrong as { zh: string }).zh,
      (wrong as { en: string }).en,
    ])
    for (let i = 1; i < lockAfterFailures; i++)
      await failure(signIn({ name: "zhang-a", password: "不对的密码-123456" }))
    // locked: the right password is refused, with the same words
    const locked = await failure(signIn({ name: "zhang-a", password }))
    expect([locked._tag, (locked as { en: string }).en]).toEqual([wrong._tag, (wrong as { en: string }).en])
    minutes(lockMinutes - 1)
    expect((await failure(signIn({ name: "zhang-a", password })))._tag).toBe("SignInRefused")
    minutes(2)
    const session = await run(signIn({ name: "zhang-a", password }))
    expect((await run(authenticateSession(session.secret))).actor.id).toBe("zhang-a")
    const reasons = await rows((db) =>
      db.selectFrom("people_log").select("detail").where("action", "=", "sign-in.refused").orderBy("id").execute(),
    )
    expect(reasons.map((r) => r.detail.reason)).toEqual([
      "wrong",
      "unknown",
      ...Array(lockAfterFailures - 1).fill("wrong"),
      "locked",
      "locked",
    ])
  })

  it("an invitation works once, and not after it expires", async () => {
    const first = await invite("zhang-a", "county-a")
    await run(acceptInvitation(first.token, password))
    const again = await failure(acceptInvitation(first.token, `${password}!`))
    expect(again._tag).toBe("InvitationInvalid")
    const unknown = await failure(acceptInvitation("A".repeat(43), password))
    expect([unknown._tag, (unknown as { en: string }).en]).toEqual([again._tag, (again as { en: string }).en])
    const late = await invite("li-b", "county-b")
    minutes(72 * 60 + 1)
    const expired = await failure(acceptInvitation(late.token, password))
    expect([expired._tag, (expired as { en: string }).en]).toEqual([again._tag, (again as { en: string }).en])
  })

  it("a password must follow the policy, each broken rule named", async () => {
    const invited = await invite("zhang-a", "county-a")
    const rules = async (candidate: string) =>
      ((await failure(acceptInvitation(invited.token, candidate))) as InvalidInput).problems.map((p) => p.path)
    expect(await rules("short-1")).toEqual(["password (length)"])
    expect(await rules("abcdefghijklmnop")).toEqual(["password (classes)"])
    expect(await rules("my13800138000pw")).toEqual(["password (personal)"])
    expect(await rules("zhang-a-is-me-2026")).toEqual(["password (personal)"])
    expect(await rules("Password1234")).toEqual(["password (common)"])
    // a refused password leaves the invitation usable
    expect(await run(acceptInvitation(invited.token, password))).toEqual({ person: "zhang-a" })
  })

  it("a coordinator cannot invite into another office's units; refused and recorded", async () => {
    const lead = await engine.actor("lead")
    const refused = await failure(invitePerson({ id: "intruder", name: "外人", role: "unit", unit: "county-c" }, lead))
    expect(refused._tag).toBe("NotAllowed")
    // nor may a coordinator make coordinators: that is the operator's
    const coordinator = await failure(
      invitePerson({ id: "deputy", name: "副局长", role: "coordinator", unit: "city" }, lead),
    )
    expect(coordinator._tag).toBe("NotAllowed")
    // nor reset the password of someone another office manages: not found
    const otherLead = await engine.actor("other-lead")
    await run(invitePerson({ id: "wang-c", name: "丙县联络员", role: "unit", unit: "county-c" }, otherLead))
    expect((await failure(resetPassword("wang-c", lead)))._tag).toBe("NotFound")
    expect((await failure(listSessions("wang-c", lead)))._tag).toBe("NotFound")
    const principals = await rows((db) =>
      db.selectFrom("principals").select("id").where("id", "in", ["intruder", "deputy"]).execute(),
    )
    expect(principals).toEqual([])
    const denied = await rows((db) =>
      db
        .selectFrom("denials")
        .select(["principal", "action", "target"])
        .where("principal", "=", "lead")
        .orderBy("action")
        .orderBy("target")
        .execute(),
    )
    expect(denied).toEqual([
      { principal: "lead", action: "person.invite", target: "city" },
      { principal: "lead", action: "person.invite", target: "county-c" },
      { principal: "lead", action: "person.reset", target: "wang-c" },
      { principal: "lead", action: "person.sessions", target: "wang-c" },
    ])
    const logged = await rows((db) =>
      db
        .selectFrom("people_log")
        .select(["actor", "action", "subject"])
        .where("action", "=", "refused")
        .orderBy("id")
        .execute(),
    )
    expect(logged).toHaveLength(4)
    expect(logged.every((row) => row.actor === "lead")).toBe(true)
    // the operator invites coordinators
    const deputy = await run(
      invitePerson({ id: "deputy", name: "副局长", role: "coordinator", unit: "city" }, operator),
    )
    expect(deputy.person).toBe("deputy")
  })

  it("a coordinator lists the people of its campaigns' units, with their contact details", async () => {
    await invite("zhang-a", "county-a")
    const otherLead = await engine.actor("other-lead")
    await run(invitePerson({ id: "wang-c", name: "丙县联络员", role: "unit", unit: "county-c" }, otherLead))
    const lead = await engine.actor("lead")
    const mine = await run(listPeople(lead))
    expect(mine.map((p) => p.id)).toEqual(["clerk-a", "clerk-a1", "clerk-b", "zhang-a"])
    expect(mine.find((p) => p.id === "zhang-a")).toMatchObject({
      unit_key: "county-a",
      mobile: "13800138000",
      email: "zhang-a@example.cn",
      password_set_at: null,
    })
    expect((await run(listPeople(otherLead))).map((p) => p.id)).toEqual(["wang-c"])
    expect((await run(listPeople(operator))).map((p) => p.id)).toContain("other-lead")
    expect((await failure(listPeople(await engine.actor("clerk-a"))))._tag).toBe("NotAllowed")
  })

  it("a person of one unit still sees another unit's task as not found", async () => {
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    const invited = await invite("zhang-a", "county-a")
    await run(acceptInvitation(invited.token, password))
    const { actor } = await run(authenticateSession((await run(signIn({ name: "zhang-a", password }))).secret))
    expect((await run(taskDetail("spring-week", "county-a", "plan", actor))).unit).toBe("county-a")
    expect((await failure(taskDetail("spring-week", "county-b", "plan", actor)))._tag).toBe("NotFound")
  })

  it("signing out everywhere ends every session; a reset link and a changed password do too", async () => {
    const invited = await invite("zhang-a", "county-a")
    await run(acceptInvitation(invited.token, password))
    const sessions = [
      await run(signIn({ name: "zhang-a", password })),
      await run(signIn({ name: "zhang-a", password })),
      await run(signIn({ name: "zhang-a", password })),
    ]
    const lead = await engine.actor("lead")
    expect(await run(listSessions("zhang-a", lead))).toHaveLength(3)
    expect(await run(signOutEverywhere("zhang-a", lead))).toEqual({ person: "zhang-a", ended: 3 })
    for (const s of sessions)
      expect(((await failure(authenticateSession(s.secret))) as { reason: string }).reason).toBe("revoked")
    // a password change keeps only the session it was made from
    const here = await run(signIn({ name: "zhang-a", password }))
    const there = await run(signIn({ name: "zhang-a", password }))
    const me = (await run(authenticateSession(here.secret))).actor
    const next = "秋水共长天一色-2027"
    expect((await failure(changePassword("不对的密码-123456", next, me)))._tag).toBe("SignInRefused")
    await run(changePassword(password, next, me, here.secret))
    expect((await run(authenticateSession(here.secret))).actor.id).toBe("zhang-a")
    expect(((await failure(authenticateSession(there.secret))) as { reason: string }).reason).toBe("revoked")
    expect((await failure(signIn({ name: "zhang-a", password })))._tag).toBe("SignInRefused")
    // a reset link replaces older links; used, it sets the password and ends the sessions
    const old = await run(resetPassword("zhang-a", lead))
    const reset = await run(resetPassword("zhang-a", lead))
    expect((await failure(acceptInvitation(old.token, password)))._tag).toBe("InvitationInvalid")
    await run(acceptInvitation(reset.token, password))
    expect(((await failure(authenticateSession(here.secret))) as { reason: string }).reason).toBe("revoked")
    expect((await run(signIn({ name: "zhang-a", password }))).secret).toHaveLength(43)
  })

  it("the tables never hold a token, secret or password in clear", async () => {
    const invited = await invite("zhang-a", "county-a")
    const reset = await run(resetPassword("zhang-a", await engine.actor("lead")))
    await run(acceptInvitation(reset.token, password))
    const session = await run(signIn({ name: "zhang-a", password }))
    const dump = JSON.stringify(
      await rows(async (db) => [
        await db.selectFrom("invitations").selectAll().execute(),
        await db.selectFrom("sessions").selectAll().execute(),
        await db.selectFrom("credentials").selectAll().execute(),
        await db.selectFrom("people_log").selectAll().execute(),
        await db.selectFrom("principals").selectAll().execute(),
      ]),
    )
    for (const secret of [invited.token, reset.token, session.secret, password]) expect(dump).not.toContain(secret)
    const stored = await rows((db) => db.selectFrom("credentials").select("password_hash").executeTakeFirstOrThrow())
    expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/u)
  })

  it("contact details are checked, each field named", async () => {
    const refused = await failure(
      invitePerson(
        { id: "zhang-a", name: "张三", role: "unit", unit: "county-a", mobile: "12345", email: "not-mail" },
        await engine.actor("lead"),
      ),
    )
    expect((refused as InvalidInput).problems.map((p) => p.path).sort()).toEqual(["email", "mobile"])
  })
})
