/**
 * Signing in through an identity provider: a claim names the person by principal id or by
 * e-mail address; nobody, two people or a disabled person get the password sign-in's
 * answer; every attempt is in the people log with the provider's issuer and subject.
 */
import type { Database } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import type { Kysely } from "kysely"
import { afterEach, beforeEach, expect, it } from "vitest"
import { WallClock } from "../src/Clock.ts"
import { addPrincipal, authenticateSession, Db, operator, signInWithIdentity } from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

describeEachDatabase("signing in through an identity provider", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  const clock = { now: Effect.sync(() => new Date("2026-04-12T09:00:00+08:00")) }
  const run = <A, E>(effect: Effect.Effect<A, E, any>) =>
    engine.run(Effect.provideService(effect, WallClock, clock) as Effect.Effect<A, E, never>)
  const failure = <A, E>(effect: Effect.Effect<A, E, any>) =>
    engine.failure(Effect.provideService(effect, WallClock, clock) as Effect.Effect<A, E, never>)
  const rows = <A>(read: (db: Kysely<Database>) => Promise<A>) =>
    engine.run(Effect.flatMap(Effect.service(Db), (db) => Effect.promise(() => read(db.kysely))))
  const issuer = "https://sso.example.gov.cn"

  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    for (const [id, email] of [
      ["shen", "Shen@Example.cn"],
      ["twin-a", "twin@example.cn"],
      ["twin-b", "twin@example.cn"],
      ["gone", "gone@example.cn"],
    ] as const) {
      await engine.run(addPrincipal({ id, name: id, role: "auditor" }, operator))
      await rows((db) => db.updateTable("principals").set({ email }).where("id", "=", id).execute())
    }
    await rows((db) => db.updateTable("principals").set({ disabled_at: new Date() }).where("id", "=", "gone").execute())
  })
  afterEach(() => engine.dispose())

  it("opens a session for the person a claim names, by id or by e-mail, in any case", async () => {
    const byId = await run(signInWithIdentity({ issuer, subject: "u-1", match: "principal", value: "Shen" }))
    expect((await run(authenticateSession(byId.secret))).actor).toEqual({
      kind: "principal",
      id: "shen",
      role: "auditor",
      unit: null,
    })
    const byEmail = await run(
      signInWithIdentity({ issuer, subject: "u-1", match: "email", value: "shen@example.CN" }, { address: "10.1.1.1" }),
    )
    expect((await run(authenticateSession(byEmail.secret))).actor.id).toBe("shen")
    const log = await rows((db) =>
      db.selectFrom("people_log").select(["action", "subject", "detail"]).where("subject", "=", "shen").execute(),
    )
    expect(log.map((l) => l.action)).toEqual(["signed-in", "signed-in"])
    expect(log[1]?.detail).toMatchObject({ method: "oidc", issuer, subject: "u-1", match: "email" })
  })

  it("refuses nobody, two people and a disabled person alike, and logs why", async () => {
    const refusals = [
      { match: "principal", value: "nobody" },
      { match: "email", value: "twin@example.cn" },
      { match: "principal", value: "gone" },
    ] as const
    for (const r of refusals) {
      const error = (await failure(signInWithIdentity({ issuer, subject: "s", ...r }))) as { _tag: string; en: string }
      expect(error._tag).toBe("SignInRefused")
    }
    const reasons = await rows((db) =>
      db.selectFrom("people_log").select("detail").where("action", "=", "sign-in.refused").orderBy("id").execute(),
    )
    expect(reasons.map((r) => (r.detail as { reason: string }).reason)).toEqual(["unknown", "ambiguous", "disabled"])
    expect(await rows((db) => db.selectFrom("sessions").select("id").execute())).toEqual([])
  })
})
