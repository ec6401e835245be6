/**
 * 催办: the coordinator nudges every unit that has not reported in a phase; each of their
 * people gets an email (seen by a real SMTP server) and an in-app notice; the journal holds
 * one row for the nudge and the audit still verifies. A unit nudges only those below it; an
 * auditor nudges nobody; refusals are journaled and change nothing.
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
  nudge,
  operator,
  smtpMailer,
  startCampaign,
  submitReport,
  trail,
  verifyCampaign,
} from "../src/index.ts"
import { startSmtp, subjectOf } from "../src/testing/Smtp.ts"
import { deployFixture, testEngine } from "./support.ts"

let smtp: Awaited<ReturnType<typeof startSmtp>>
beforeAll(async () => {
  smtp = await startSmtp()
})
afterAll(async () => {
  await smtp.close()
})

/** The text of a received mail's body, decoded (quoted-printable or base64). */
const bodyOf = (raw: string) => {
  const [head = "", ...rest] = raw.split("\r\n\r\n")
  const body = rest.join("\r\n\r\n")
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s/g, ""), "base64").toString()
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head))
    return Buffer.from(
      body
        .replace(/=\r\n/g, "")
        .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      "latin1",
    ).toString("utf8")
  return body
}

describeEachDatabase("nudges (催办)", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  let mailer: Mailer
  beforeEach(async () => {
    smtp.received.length = 0
    mailer = smtpMailer(`smtp://127.0.0.1:${smtp.port}`, '"市知识产权局" <notices@example.gov.cn>')
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql`update principals set email = id || '@example.gov.cn' where role = 'unit'`.execute(db.kysely),
        ),
      ),
    )
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    await deliver("2026-04-13T09:00:00+08:00")
    smtp.received.length = 0
    // County A has reported its plan; County B and Town A1 have not.
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    await engine.run(submitReport("spring-week/county-a/plan", { narrative: { narrative: "方案" } }, clerk))
  })
  afterEach(async () => {
    await engine.dispose()
  })

  const deliver = (at: string) => engine.run(Effect.provideService(deliverNotices(new Date(at)), MailerRef, mailer))

  const counts = () =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ notices: string; journal: string; nudges: string; denied: string }>`
            select (select count(*) from notifications) as notices,
              (select count(*) from journal) as journal,
              (select count(*) from journal where event = 'nudge') as nudges,
              (select count(*) from journal where event = 'access.denied' and payload ->> 'action' = 'nudge') as denied`
            .execute(db.kysely)
            .then((r) => r.rows[0] as { notices: string; journal: string; nudges: string; denied: string }),
        ),
      ),
    )

  it("nudges every unit that has not reported: an email and an in-app notice per person, one journal row", async () => {
    const lead = await engine.actor("lead")
    const body = { phase: "preparation", which: "unreported", message: "请于今日下班前报送" }
    const nudged = await engine.run(nudge("spring-week", body, lead, { idempotencyKey: "nudge-1" }))
    expect(nudged).toMatchObject({ units: ["county-b", "town-a1"], notices: 2, replayed: false })
    // The same key again: the same answer, nothing written twice.
    const again = await engine.run(nudge("spring-week", body, lead, { idempotencyKey: "nudge-1" }))
    expect(again).toMatchObject({ nudge: nudged.nudge, replayed: true })
    expect((await counts()).nudges).toBe("1")

    expect(await deliver("2026-04-13T10:00:00+08:00")).toMatchObject({ expanded: 2, sent: 2, failed: 0 })
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(["clerk-a1@example.gov.cn", "clerk-b@example.gov.cn"])
    for (const mail of smtp.received) {
      expect(subjectOf(mail.raw)).toBe("【催办】测试宣传周")
      const text = bodyOf(mail.raw)
      expect(text).toContain("请尽快报送")
      expect(text).toContain("“请于今日下班前报送”")
      expect(text).toContain('Message: "请于今日下班前报送"')
    }

    const inbox = await engine.run(myNotices(await engine.actor("clerk-b")))
    expect(inbox.unread).toBe(2)
    expect(inbox.items[0]).toMatchObject({
      kind: "nudge",
      subject: "【催办】测试宣传周",
      message: "请于今日下班前报送",
      nudge: nudged.nudge,
      by: "lead",
      byName: "王局长",
      read: false,
    })
    // County A reported: nothing new for its clerk.
    expect((await engine.run(myNotices(await engine.actor("clerk-a")))).items.map((n) => n.kind)).toEqual([
      "phase-opened",
    ])
    const status = await engine.run(campaignDeliveries("spring-week", lead))
    expect(
      status
        .filter((d) => d.nudge === nudged.nudge)
        .map((d) => [d.person, d.channel, d.status])
        .sort(),
    ).toEqual([
      ["clerk-a1", "email", "sent"],
      ["clerk-a1", "in-app", "sent"],
      ["clerk-b", "email", "sent"],
      ["clerk-b", "in-app", "sent"],
    ])
    // Each person reached is named as the directory has them.
    expect(new Set(status.filter((d) => d.nudge === nudged.nudge).map((d) => d.personName))).toEqual(
      new Set(["一镇联络员", "乙县联络员"]),
    )

    const row = await engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ seq: number; actor: string; unit_key: string | null; payload: Record<string, unknown> }>`
            select seq, actor, unit_key, payload from journal where event = 'nudge'`
            .execute(db.kysely)
            .then((r) => r.rows[0]),
        ),
      ),
    )
    expect(row).toMatchObject({
      seq: nudged.journal,
      actor: "lead",
      unit_key: null,
      payload: {
        type: "nudge",
        nudge: nudged.nudge,
        units: ["county-b", "town-a1"],
        selector: { phase: "preparation", task: null, which: "unreported" },
        message: "请于今日下班前报送",
      },
    })
    // The trail tells it: whom, by what selector, with what message; a unit's trail leaves it out.
    const entry = (await engine.run(trail("spring-week", lead))).find((e) => e.event === "nudge")
    expect(entry?.note.nudge).toEqual({
      units: ["county-b", "town-a1"],
      which: "unreported",
      task: null,
      message: "请于今日下班前报送",
    })
    expect(entry?.note.phase).toBe("preparation")
    expect(entry?.detail).toBe("nudged county-b, town-a1: 请于今日下班前报送")
    const unitTrail = await engine.run(trail("spring-week", await engine.actor("clerk-b")))
    expect(unitTrail.some((e) => e.event === "nudge")).toBe(false)
    const verdict = await engine.run(verifyCampaign("spring-week", operator))
    expect(verdict.findings).toEqual([])
    expect(verdict.ok).toBe(true)
  })

  it("lets a unit nudge the units below it, and nobody else", async () => {
    const clerkA = await engine.actor("clerk-a")
    const own = await engine.run(nudge("spring-week", { which: "unreported" }, clerkA))
    expect(own.units).toEqual(["town-a1"])
    const named = await engine.run(nudge("spring-week", { units: ["town-a1"], message: "抓紧" }, clerkA))
    expect(named.units).toEqual(["town-a1"])
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("journals a refusal — a unit outside its scope, an auditor, an unknown phase — and changes nothing else", async () => {
    const before = await counts()
    const clerkA = await engine.actor("clerk-a")
    const clerkB = await engine.actor("clerk-b")
    const auditor = await engine.actor("auditor")
    expect((await engine.failure(nudge("spring-week", { units: ["county-b"] }, clerkA)))._tag).toBe("NotAllowed")
    expect((await engine.failure(nudge("spring-week", { which: "unreported" }, clerkB)))._tag).toBe("NotAllowed")
    expect((await engine.failure(nudge("spring-week", { which: "unreported" }, auditor)))._tag).toBe("NotAllowed")
    const lead = await engine.actor("lead")
    const phase = await engine.failure(nudge("spring-week", { phase: "no-such", which: "unreported" }, lead))
    expect(phase).toMatchObject({ _tag: "NotFound", what: "phase" })
    const after = await counts()
    expect(after.notices).toBe(before.notices)
    expect(after.nudges).toBe(before.nudges)
    expect(Number(after.denied) - Number(before.denied)).toBe(4)
    expect(Number(after.journal) - Number(before.journal)).toBe(4)
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("says so when there is nobody to nudge, and refuses input that does not decode", async () => {
    const lead = await engine.actor("lead")
    const none = await engine.failure(nudge("spring-week", { phase: "preparation", which: "returned" }, lead))
    expect(none._tag).toBe("CampaignState")
    expect((none as { zh: string }).zh).toContain("没有需要催办的单位")
    const long = await engine.failure(nudge("spring-week", { which: "unreported", message: "催".repeat(501) }, lead))
    expect(long).toMatchObject({ _tag: "InvalidInput" })
    expect(
      (long as unknown as { problems: Array<{ path: string; zh: string; en: string }> }).problems[0],
    ).toMatchObject({
      path: "message",
      zh: "留言不超过 500 字",
      en: "the message is at most 500 characters",
    })
    const both = await engine.failure(nudge("spring-week", { which: "unreported", units: ["county-b"] }, lead))
    expect((both as unknown as { problems: Array<{ path: string }> }).problems.map((p) => p.path)).toEqual(["which"])
    expect((await counts()).nudges).toBe("0")
  })
})
