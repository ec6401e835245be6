/**
 * Notices reach people: each notice of the outbox is fanned out to its unit's contacts (in-app
 * for all, email for those with an address), and the emails go to a real SMTP server started
 * here — retried with backoff when refused, parked after the last attempt, and sent again with
 * the same Message-ID when a worker is stopped between sending and recording it.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest"
import {
  acknowledge,
  campaignDeliveries,
  Db,
  deliverNotices,
  type Mailer,
  MailerRef,
  myNotices,
  readNotices,
  returnReport,
  smtpMailer,
  startCampaign,
  submitReport,
} from "../src/index.ts"
import { header, type Received, startSmtp, subjectOf } from "../src/testing/Smtp.ts"
import { deployFixture, testEngine } from "./support.ts"

/** A real SMTP server on a free port: what it received, and addresses it refuses. */
let smtp: Awaited<ReturnType<typeof startSmtp>>
let received: Received[] = []
let refused = new Set<string>()
let port = 0

beforeAll(async () => {
  smtp = await startSmtp()
  received = smtp.received
  refused = smtp.refused
  port = smtp.port
})
afterAll(async () => {
  await smtp.close()
})

describeEachDatabase("notices that reach people", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  let mailer: Mailer
  beforeEach(async () => {
    received.length = 0
    refused.clear()
    mailer = smtpMailer(`smtp://127.0.0.1:${port}`, '"市知识产权局" <notices@example.gov.cn>')
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
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
  })
  afterEach(async () => {
    await engine.dispose()
  })

  const deliver = (at: string, options: Parameters<typeof deliverNotices>[1] = {}) =>
    engine.run(Effect.provideService(deliverNotices(new Date(at), options), MailerRef, mailer))

  const deliveries = () =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ principal_id: string; channel: string; status: string; attempts: number; kind: string }>`
            select d.principal_id, d.channel, d.status, d.attempts, n.kind
            from deliveries d join notifications n on n.id = d.notification_id order by d.id`
            .execute(db.kysely)
            .then((r) => r.rows),
        ),
      ),
    )

  it("fans a notice out to every contact of its unit, in-app and by email, in Chinese", async () => {
    await engine.advance("2026-04-13T09:00:00+08:00")
    const tally = await deliver("2026-04-13T09:00:00+08:00")
    // Two units have a contact with an address: their notices are the fan-out's; the third unit's
    // contacts read theirs in the app, where its step showed it.
    expect(tally).toMatchObject({ expanded: 2, sent: 2, failed: 0, parked: 0 })
    const rows = await deliveries()
    expect(
      rows
        .filter((r) => r.channel === "in-app")
        .map((r) => r.principal_id)
        .sort(),
    ).toEqual(["clerk-a", "clerk-a1", "clerk-b"])
    expect(rows.filter((r) => r.channel === "email").map((r) => [r.principal_id, r.status])).toEqual([
      ["clerk-a", "sent"],
      ["clerk-b", "sent"],
    ])
    expect(received.map((m) => m.to).sort()).toEqual([["clerk-a@example.gov.cn"], ["clerk-b@example.gov.cn"]])
    expect(subjectOf(received[0]?.raw ?? "")).toBe("【阶段开始】测试宣传周")
    expect(header(received[0]?.raw ?? "", "X-Liandong-Delivery")).toMatch(/^\d+$/)
    // Nothing is sent twice by a later pass.
    expect(await deliver("2026-04-13T10:00:00+08:00")).toMatchObject({ expanded: 0, sent: 0 })
    expect(received).toHaveLength(2)
  })

  it("lists a person's own notices in-app, unread until read, and shows the coordinator who was reached", async () => {
    refused.add("clerk-b@example.gov.cn")
    await engine.advance("2026-04-13T09:00:00+08:00")
    await deliver("2026-04-13T09:00:00+08:00")
    const clerkA = await engine.actor("clerk-a")
    const clerkB = await engine.actor("clerk-b")
    const inbox = await engine.run(myNotices(clerkA))
    expect(inbox.unread).toBe(1)
    expect(inbox.items.map((n) => [n.kind, n.subject, n.read])).toEqual([
      ["phase-opened", "【阶段开始】测试宣传周", false],
    ])
    // Another person's notice cannot be marked by its id.
    expect(
      await engine.run(
        readNotices(
          clerkB,
          inbox.items.map((n) => n.id),
        ),
      ),
    ).toEqual({ marked: 0 })
    expect(await engine.run(readNotices(clerkA, null))).toEqual({ marked: 1 })
    expect((await engine.run(myNotices(clerkA))).unread).toBe(0)
    expect((await engine.run(myNotices(clerkA, { unreadOnly: true }))).items).toEqual([])
    const status = await engine.run(campaignDeliveries("spring-week", await engine.actor("lead")))
    expect(status.filter((d) => d.channel === "email").map((d) => [d.person, d.status])).toEqual([
      ["clerk-a", "sent"],
      ["clerk-b", "failed"],
    ])
    expect(status.find((d) => d.person === "clerk-b" && d.channel === "email")?.lastError).toContain(
      "mailbox unavailable",
    )
    expect((await engine.failure(campaignDeliveries("spring-week", clerkA)))._tag).toBe("NotAllowed")
    expect((await engine.run(campaignDeliveries("spring-week", await engine.actor("auditor")))).length).toBe(
      status.length,
    )
  })

  it("tells the unit its report was returned", async () => {
    await engine.advance("2026-04-13T09:00:00+08:00")
    await deliver("2026-04-13T09:00:00+08:00")
    received.length = 0
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const report = await engine.run(
      submitReport("spring-week/county-a/plan", { narrative: { narrative: "初稿" } }, clerk),
    )
    await engine.run(returnReport(report.report, "请补充分工安排", await engine.actor("lead")))
    await deliver("2026-04-14T09:00:00+08:00")
    expect(received.map((m) => [m.to[0], subjectOf(m.raw)])).toEqual([
      ["clerk-a@example.gov.cn", "【退回】测试宣传周：制定工作方案"],
    ])
  })

  it("retries a refused email with backoff and parks it after the last attempt", async () => {
    refused.add("clerk-b@example.gov.cn")
    await engine.advance("2026-04-13T09:00:00+08:00")
    expect(await deliver("2026-04-13T09:00:00+08:00", { maxAttempts: 2 })).toMatchObject({ sent: 1, failed: 1 })
    // Not due again for 30 seconds.
    expect(await deliver("2026-04-13T09:00:10+08:00", { maxAttempts: 2 })).toMatchObject({ sent: 0, failed: 0 })
    expect(await deliver("2026-04-13T09:00:31+08:00", { maxAttempts: 2 })).toMatchObject({ parked: 1 })
    const parked = (await deliveries()).find((r) => r.principal_id === "clerk-b" && r.channel === "email")
    expect(parked).toMatchObject({ status: "parked", attempts: 2 })
    expect(await deliver("2026-04-14T09:00:00+08:00", { maxAttempts: 2 })).toMatchObject({ sent: 0, parked: 0 })
  })

  it("sends again, with the same Message-ID, what a stopped worker sent but did not record", async () => {
    await engine.advance("2026-04-13T09:00:00+08:00")
    // A worker stopped after the server took the mail, before it recorded it.
    const stopped: Mailer = {
      send: async (mail) => {
        await mailer.send(mail)
        await new Promise<void>(() => undefined)
      },
    }
    // Stopped once the server has the first mail: its delivery is not recorded, the transaction rolls back.
    const serverHasMail = Effect.gen(function* () {
      while (received.length === 0) yield* Effect.sleep(20)
    })
    await engine.run(
      Effect.raceFirst(
        Effect.provideService(deliverNotices(new Date("2026-04-13T09:00:00+08:00")), MailerRef, stopped),
        serverHasMail,
      ),
    )
    const first = received.length
    expect(first).toBeGreaterThan(0)
    expect((await deliveries()).filter((r) => r.channel === "email" && r.status === "sent")).toHaveLength(0)
    await deliver("2026-04-13T09:01:00+08:00")
    const ids = received.map((m) => header(m.raw, "Message-ID"))
    // Every email delivered at least once; a repeat carries the id of the first.
    expect(new Set(ids).size).toBe(2)
    expect(ids.length).toBeGreaterThan(2)
    expect((await deliveries()).filter((r) => r.channel === "email").every((r) => r.status === "sent")).toBe(true)
  })
})
