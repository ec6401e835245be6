/**
 * Notice preferences: a person mutes kinds of notice by email (in-app notices still arrive)
 * and sets quiet hours in their time zone, during which an email waits for the hours' end —
 * on the clock the delivery pass is given. Defaults send everything at once. Bad input is
 * refused naming its field, and only a person has preferences.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  afterQuietHours,
  Db,
  deliverNotices,
  type Mailer,
  MailerRef,
  myNotices,
  myPreferences,
  operator,
  setPreferences,
  smtpMailer,
  startCampaign,
} from "../src/index.ts"
import { type Received, startSmtp } from "../src/testing/Smtp.ts"
import { deployFixture, testEngine } from "./support.ts"

describe("the end of quiet hours", () => {
  const night = { from: "22:00", to: "07:30" }
  it("is the next morning for an email due in the evening, across midnight, in the person's time zone", () => {
    expect(afterQuietHours(new Date("2026-04-13T23:10:20+08:00"), night, "Asia/Shanghai").toISOString()).toBe(
      new Date("2026-04-14T07:30:00+08:00").toISOString(),
    )
    expect(afterQuietHours(new Date("2026-04-14T03:00:00+08:00"), night, "Asia/Shanghai").toISOString()).toBe(
      new Date("2026-04-14T07:30:00+08:00").toISOString(),
    )
    // 09:00 in Beijing is 02:00 in London (summer time): quiet there until 07:30 London time.
    expect(afterQuietHours(new Date("2026-04-13T09:00:00+08:00"), night, "Europe/London").toISOString()).toBe(
      "2026-04-13T06:30:00.000Z",
    )
  })

  it("leaves an email due outside them, or with none, as it is", () => {
    const at = new Date("2026-04-13T09:00:00+08:00")
    expect(afterQuietHours(at, night, "Asia/Shanghai")).toBe(at)
    expect(afterQuietHours(at, null, "Asia/Shanghai")).toBe(at)
    expect(afterQuietHours(new Date("2026-04-13T07:30:00+08:00"), night, "Asia/Shanghai").toISOString()).toBe(
      new Date("2026-04-13T07:30:00+08:00").toISOString(),
    )
    // Quiet hours within one day: 12:00–14:00.
    expect(
      afterQuietHours(new Date("2026-04-13T12:45:00+08:00"), { from: "12:00", to: "14:00" }, "Asia/Shanghai"),
    ).toEqual(new Date("2026-04-13T14:00:00+08:00"))
    expect(
      afterQuietHours(new Date("2026-04-13T23:00:00+08:00"), { from: "12:00", to: "14:00" }, "Asia/Shanghai"),
    ).toEqual(new Date("2026-04-13T23:00:00+08:00"))
  })
})

let smtp: Awaited<ReturnType<typeof startSmtp>>
let received: Received[] = []

beforeAll(async () => {
  smtp = await startSmtp()
  received = smtp.received
})
afterAll(async () => {
  await smtp.close()
})

describeEachDatabase("notice preferences", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  let mailer: Mailer
  beforeEach(async () => {
    received.length = 0
    smtp.refused.clear()
    mailer = smtpMailer(`smtp://127.0.0.1:${smtp.port}`, '"市知识产权局" <notices@example.gov.cn>')
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql`update principals set email = id || '@example.gov.cn' where id in ('clerk-a', 'clerk-b')`.execute(
            db.kysely,
          ),
        ),
      ),
    )
  })
  afterEach(async () => {
    await engine.dispose()
  })

  const deliver = (at: string) => engine.run(Effect.provideService(deliverNotices(new Date(at)), MailerRef, mailer))

  const emails = () =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ principal_id: string; status: string; next_attempt_at: Date | string }>`
            select principal_id, status, next_attempt_at from deliveries where channel = 'email' order by id`
            .execute(db.kysely)
            .then((r) =>
              r.rows.map((row) => ({ ...row, next_attempt_at: new Date(row.next_attempt_at).toISOString() })),
            ),
        ),
      ),
    )

  const stored = () =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ n: string }>`select count(*) as n from notice_preferences`
            .execute(db.kysely)
            .then((r) => Number(r.rows[0]?.n)),
        ),
      ),
    )

  const opens = async () => {
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  }

  it("sends every kind by email at once by default", async () => {
    expect(await engine.run(myPreferences(await engine.actor("clerk-a")))).toEqual({
      muted: [],
      quietHours: null,
      timeZone: "Asia/Shanghai",
      updatedAt: null,
    })
    await opens()
    expect(await deliver("2026-04-13T09:00:00+08:00")).toMatchObject({ sent: 2 })
    expect((await emails()).map((e) => [e.principal_id, e.status])).toEqual([
      ["clerk-a", "sent"],
      ["clerk-b", "sent"],
    ])
  })

  it("sends a muted kind in-app only, and other people's by email as before", async () => {
    const clerkA = await engine.actor("clerk-a")
    const set = await engine.run(setPreferences(clerkA, { muted: ["phase-opened", "nudge"], quietHours: null }))
    expect(set).toMatchObject({ muted: ["phase-opened", "nudge"], quietHours: null, timeZone: "Asia/Shanghai" })
    expect(set.updatedAt).toEqual(expect.any(String))
    await opens()
    await deliver("2026-04-13T09:00:00+08:00")
    expect((await emails()).map((e) => e.principal_id)).toEqual(["clerk-b"])
    expect(received.map((m) => m.to)).toEqual([["clerk-b@example.gov.cn"]])
    const inbox = await engine.run(myNotices(clerkA))
    expect(inbox.items.map((n) => n.kind)).toEqual(["phase-opened"])
  })

  it("holds an email due in quiet hours until they end, across midnight", async () => {
    await engine.run(
      setPreferences(await engine.actor("clerk-a"), { muted: [], quietHours: { from: "22:00", to: "07:30" } }),
    )
    await opens()
    // The worker's pass comes late in the evening: clerk-b's email goes, clerk-a's waits.
    await deliver("2026-04-13T23:05:00+08:00")
    const morning = new Date("2026-04-14T07:30:00+08:00").toISOString()
    expect((await emails()).map((e) => [e.principal_id, e.status, e.next_attempt_at])).toEqual([
      ["clerk-a", "pending", morning],
      ["clerk-b", "sent", new Date("2026-04-13T23:05:00+08:00").toISOString()],
    ])
    expect(await deliver("2026-04-14T07:29:00+08:00")).toMatchObject({ sent: 0 })
    expect(await deliver("2026-04-14T07:30:00+08:00")).toMatchObject({ sent: 1 })
    expect(received.map((m) => m.to)).toEqual([["clerk-b@example.gov.cn"], ["clerk-a@example.gov.cn"]])
  })

  it("retries a refused email after its backoff, or at the end of quiet hours when that falls in them", async () => {
    smtp.refused.add("clerk-a@example.gov.cn")
    await engine.run(
      setPreferences(await engine.actor("clerk-a"), { muted: [], quietHours: { from: "21:59", to: "06:00" } }),
    )
    await opens()
    await deliver("2026-04-13T21:58:50+08:00")
    // Refused at 21:58:50; 30 s later is 21:59:20, in the quiet hours: tried at 06:00.
    expect((await emails()).find((e) => e.principal_id === "clerk-a")).toMatchObject({
      status: "failed",
      next_attempt_at: new Date("2026-04-14T06:00:00+08:00").toISOString(),
    })
  })

  it("refuses bad input naming the field, stores nothing, and has preferences only for people", async () => {
    const clerkA = await engine.actor("clerk-a")
    const fieldsOf = async (input: unknown) => {
      const error = await engine.failure(setPreferences(clerkA, input))
      expect(error._tag).toBe("InvalidInput")
      return (error as { problems: ReadonlyArray<{ path: string; zh: string; en: string }> }).problems
    }
    const kind = await fieldsOf({ muted: ["spam"], quietHours: null })
    expect(kind.map((p) => p.path)).toEqual(["muted[0]"])
    expect(kind[0]?.zh).toContain("“nudge”")
    const time = await fieldsOf({ muted: [], quietHours: { from: "22:00", to: "7:30" } })
    expect(time).toEqual([
      { path: "quietHours.to", zh: "时间须为 HH:MM(00:00–23:59)", en: "a time is HH:MM (00:00–23:59)" },
    ])
    const same = await fieldsOf({ muted: [], quietHours: { from: "07:30", to: "07:30" } })
    expect(same.map((p) => p.path)).toEqual(["quietHours.to"])
    expect(same[0]?.en).toBe("quiet hours cannot start and end at the same time")
    const zone = await fieldsOf({ muted: [], quietHours: null, timeZone: "Mars/Olympus" })
    expect(zone.map((p) => p.path)).toEqual(["timeZone"])
    expect(await stored()).toBe(0)
    const refused = await engine.failure(setPreferences(operator, { muted: [], quietHours: null }))
    expect(refused._tag).toBe("NotAllowed")
    expect((refused as { en: string }).en).toContain("only a signed-in person")
    expect((await engine.failure(myPreferences(operator)))._tag).toBe("NotAllowed")
    expect(await stored()).toBe(0)
    // An auditor has their own.
    const auditor = await engine.actor("auditor")
    await engine.run(setPreferences(auditor, { muted: ["reminder"], quietHours: null }))
    expect((await engine.run(myPreferences(auditor))).muted).toEqual(["reminder"])
    expect((await engine.run(myPreferences(clerkA))).updatedAt).toBeNull()
  })
})
