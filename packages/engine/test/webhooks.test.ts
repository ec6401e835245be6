/**
 * Notices reach a campaign's webhooks and group robots: real HTTP servers started here
 * receive them — a receiver that verifies each signature with the exported verifier (and
 * refuses a tampered body and a stale timestamp), and servers answering as 企业微信's and
 * 钉钉's robots do (`errcode` 0, or another code, which is a failure retried later). A
 * failing receiver is retried with backoff and the delivery parked; a worker stopped after
 * the receiver had the POST but before recording it posts it again with the same id.
 */
import { createHmac } from "node:crypto"
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { verifyWebhook as verifyFromSubpath } from "@liandong/engine/webhooks"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  acknowledge,
  addWebhook,
  approve,
  campaignDeliveries,
  Db,
  deliverNotices,
  expandNotices,
  hostAllowed,
  listWebhooks,
  operator,
  removeWebhook,
  shownUrl,
  startCampaign,
  submitReport,
  verifyCampaign,
  verifyWebhook,
  WebhookAllowRef,
  webhookSignature,
} from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

interface Received {
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** How each receiver answers: a status, a robot's errcode, or no answer at all. */
const behaviour = { hook: 200 as number | "hang", wecom: 0, dingtalk: 0 }
const received: Received[] = []
const hanging: ServerResponse[] = []
const dingtalkSecret = "SECtest-dingtalk-secret-0123456789"
let server: Server
let base = ""

const robotAnswer = (response: ServerResponse, errcode: number, errmsg: string) => {
  response.writeHead(200, { "content-type": "application/json" })
  response.end(JSON.stringify({ errcode, errmsg }))
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost")
      received.push({
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      })
      if (url.pathname === "/cgi-bin/webhook/send") {
        // 企业微信: a wrong key is errcode 93000.
        if (url.searchParams.get("key") !== "wecom-key") return robotAnswer(response, 93000, "invalid webhook url")
        return behaviour.wecom === 0
          ? robotAnswer(response, 0, "ok")
          : robotAnswer(response, behaviour.wecom, "freq limit")
      }
      if (url.pathname === "/robot/send") {
        // 钉钉: the signature of the timestamp with the secret, within an hour.
        const timestamp = url.searchParams.get("timestamp") ?? ""
        const expected = createHmac("sha256", dingtalkSecret).update(`${timestamp}\n${dingtalkSecret}`).digest("base64")
        if (url.searchParams.get("sign") !== expected || Math.abs(Date.now() - Number(timestamp)) > 3_600_000)
          return robotAnswer(response, 310000, "sign not match")
        return robotAnswer(response, behaviour.dingtalk, behaviour.dingtalk === 0 ? "ok" : "send too fast")
      }
      if (behaviour.hook === "hang") {
        hanging.push(response)
        return
      }
      response.writeHead(behaviour.hook)
      response.end(behaviour.hook === 200 ? "" : "unavailable")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const hooks = () => received.filter((r) => r.path === "/hook")

describe("what an endpoint shows and may reach", () => {
  it("hides a URL's query and long path segments, where tokens live", () => {
    expect(shownUrl("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")).toBe(
      "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…",
    )
    expect(shownUrl("https://open.feishu.cn/open-apis/bot/v2/hook/3f9c0e1a-7b2d-4c55-9e8f")).toBe(
      "https://open.feishu.cn/open-apis/bot/v2/hook/…",
    )
    expect(shownUrl("http://127.0.0.1:8080/liandong")).toBe("http://127.0.0.1:8080/liandong")
  })

  it("matches hosts against the allow-list: names, subdomains, any", () => {
    expect(hostAllowed("anything.example", null)).toBe(true)
    expect(hostAllowed("qyapi.weixin.qq.com", ["qyapi.weixin.qq.com"])).toBe(true)
    expect(hostAllowed("hooks.bureau.gov.cn", ["*.bureau.gov.cn"])).toBe(true)
    expect(hostAllowed("bureau.gov.cn", ["*.bureau.gov.cn"])).toBe(false)
    expect(hostAllowed("evilbureau.gov.cn", ["*.bureau.gov.cn"])).toBe(false)
    expect(hostAllowed("127.0.0.1", ["*.bureau.gov.cn", "oapi.dingtalk.com"])).toBe(false)
    expect(hostAllowed("[::1]", ["::1"])).toBe(true)
    expect(hostAllowed("x.example", ["*"])).toBe(true)
  })
})

describeEachDatabase("notices to webhooks and group robots", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    received.length = 0
    behaviour.hook = 200
    behaviour.wecom = 0
    behaviour.dingtalk = 0
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
  })
  afterEach(async () => {
    for (const response of hanging.splice(0)) response.destroy()
    await engine.dispose()
  })

  const deliver = (at: string, options: Parameters<typeof deliverNotices>[1] = {}) =>
    engine.run(deliverNotices(new Date(at), options))

  const endpointDeliveries = () =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ id: string; channel: string; status: string; attempts: number; last_error: string | null }>`
            select id::text, channel, status, attempts, last_error from deliveries
            where webhook_id is not null order by id`
            .execute(db.kysely)
            .then((r) => r.rows),
        ),
      ),
    )

  const journalEvents = () =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ event: string; actor: string; payload: Record<string, unknown> }>`
            select event, actor, payload from journal where campaign_id = 'spring-week' order by seq`
            .execute(db.kysely)
            .then((r) => r.rows),
        ),
      ),
    )

  it("posts each notice as a signed webhook the receiver verifies, and refuses a tampered body or a stale one", async () => {
    const lead = await engine.actor("lead")
    const added = await engine.run(addWebhook("spring-week", { kind: "webhook", url: `${base}/hook` }, lead))
    expect(added.secret).toMatch(/^whsec_/)
    const secret = added.secret as string
    // Another endpoint asks only for returned reports: a phase opening does not reach it.
    await engine.run(
      addWebhook("spring-week", { kind: "webhook", url: `${base}/hook?only=returned`, events: ["returned"] }, lead),
    )
    // Listed without secrets, to the coordinator and to auditors; the query of a URL hidden.
    const listed = await engine.run(listWebhooks("spring-week", await engine.actor("auditor")))
    expect(listed.map((w) => [w.kind, w.url, w.events, w.signed])).toEqual([
      ["webhook", `${base}/hook`, null, true],
      ["webhook", `${base}/hook?…`, ["returned"], true],
    ])
    expect(JSON.stringify(listed)).not.toContain(secret)

    await engine.advance("2026-04-13T09:00:00+08:00")
    const tally = await deliver("2026-04-13T09:00:00+08:00")
    expect(tally).toMatchObject({ expanded: 3, sent: 3, failed: 0, parked: 0 })
    expect(hooks()).toHaveLength(3)
    expect(hooks().every((r) => r.query.get("only") === null)).toBe(true)
    const now = new Date()
    for (const hook of hooks()) {
      const verdict = verifyWebhook(secret, hook.headers, hook.body, now)
      expect(verdict.ok).toBe(true)
      const body = JSON.parse(hook.body)
      expect(body).toMatchObject({
        campaign: "spring-week",
        campaignTitle: "测试宣传周",
        kind: "phase-opened",
        phase: "preparation",
        task: null,
        subject: "【阶段开始】测试宣传周",
      })
      expect(body.id).toBe(hook.headers["liandong-id"])
      expect(verdict.ok && verdict.id).toBe(body.id)
      expect(new Date(body.occurredAt).toISOString()).toBe(body.occurredAt)
      expect(hook.headers["liandong-signature"]).toBe(
        `v1=${webhookSignature(secret, hook.headers["liandong-timestamp"] as string, hook.body)}`,
      )
    }
    expect(new Set(hooks().map((r) => JSON.parse(r.body).unit))).toEqual(new Set(["county-a", "county-b", "town-a1"]))
    const [first] = hooks()
    if (first === undefined) throw new Error("no webhook")
    // A body changed on the way, a wrong secret, a stale or a future timestamp, a missing header: refused.
    expect(verifyFromSubpath(secret, first.headers, first.body.replace('"kind":', '"kind" :'), now)).toEqual({
      ok: false,
      reason: "bad-signature",
    })
    expect(verifyWebhook(`${secret}x`, first.headers, first.body, now).ok).toBe(false)
    expect(verifyWebhook(secret, first.headers, first.body, new Date(now.getTime() + 6 * 60_000))).toEqual({
      ok: false,
      reason: "stale",
    })
    expect(verifyWebhook(secret, first.headers, first.body, new Date(now.getTime() - 6 * 60_000)).ok).toBe(false)
    expect(verifyWebhook(secret, { ...first.headers, "liandong-signature": undefined }, first.body, now)).toEqual({
      ok: false,
      reason: "missing-header",
    })
    // A fetch Headers object works too.
    const headers = new Headers(first.headers as Record<string, string>)
    expect(verifyWebhook(secret, headers, Buffer.from(first.body), now).ok).toBe(true)

    // The coordinator's view of deliveries names the endpoint, not a person.
    const status = await engine.run(campaignDeliveries("spring-week", lead))
    expect(status.filter((d) => d.channel === "webhook").map((d) => [d.person, d.webhook, d.status])).toEqual([
      [null, added.id, "sent"],
      [null, added.id, "sent"],
      [null, added.id, "sent"],
    ])
    // Nothing is posted twice by a later pass.
    expect(await deliver("2026-04-13T10:00:00+08:00")).toMatchObject({ expanded: 0, sent: 0 })
    expect(hooks()).toHaveLength(3)
  })

  it("reaches 企业微信 and 钉钉 group robots in Chinese markdown; an errcode other than 0 fails and is retried", async () => {
    const lead = await engine.actor("lead")
    await engine.run(
      addWebhook("spring-week", { kind: "wecom", url: `${base}/cgi-bin/webhook/send?key=wecom-key` }, lead),
    )
    const ding = await engine.run(
      addWebhook(
        "spring-week",
        { kind: "dingtalk", url: `${base}/robot/send?access_token=ding-token`, secret: dingtalkSecret },
        lead,
      ),
    )
    // The robot's secret signs; it is not shown back, nor is the token in the URL.
    expect(ding.secret).toBeNull()
    expect(ding.url).toBe(`${base}/robot/send?…`)
    behaviour.wecom = 45009
    await engine.advance("2026-04-13T09:00:00+08:00")
    expect(await deliver("2026-04-13T09:00:00+08:00")).toMatchObject({ sent: 3, failed: 3 })
    const wecom = received.filter((r) => r.path === "/cgi-bin/webhook/send")
    const dingtalk = received.filter((r) => r.path === "/robot/send")
    expect(wecom).toHaveLength(3)
    expect(dingtalk).toHaveLength(3)
    // Posted eight at a time: the robots receive them in any order.
    const wecomBodies = wecom.map((r) => JSON.parse(r.body))
    const wecomBody = wecomBodies.find((b) => b.markdown?.content?.includes("甲县知识产权局本阶段")) ?? wecomBodies[0]
    expect(wecomBody.msgtype).toBe("markdown")
    expect(wecomBody.markdown.content).toMatch(/^### 【阶段开始】测试宣传周\n\n/)
    expect(wecomBody.markdown.content).toContain("“筹备”阶段已开始，请确认接收甲县知识产权局本阶段的任务。")
    expect(wecomBody.markdown.content).toContain("市知识产权局")
    expect(wecomBody.markdown.content).not.toContain("has opened")
    const dingBody = JSON.parse(dingtalk[0]?.body ?? "{}")
    expect(dingBody).toMatchObject({ msgtype: "markdown", markdown: { title: "【阶段开始】测试宣传周" } })
    expect(dingBody.markdown.text).toContain("请确认接收")
    expect(dingtalk[0]?.query.get("access_token")).toBe("ding-token")
    expect(dingtalk[0]?.query.get("sign")).toBeTruthy()
    let rows = await endpointDeliveries()
    expect(rows.filter((r) => r.channel === "wecom").map((r) => r.status)).toEqual(["failed", "failed", "failed"])
    expect(rows.find((r) => r.channel === "wecom")?.last_error).toContain("errcode 45009")
    expect(rows.filter((r) => r.channel === "dingtalk").every((r) => r.status === "sent")).toBe(true)
    // The robot answers again: retried after the backoff, and sent.
    behaviour.wecom = 0
    expect(await deliver("2026-04-13T09:00:10+08:00")).toMatchObject({ sent: 0, failed: 0 })
    expect(await deliver("2026-04-13T09:00:31+08:00")).toMatchObject({ sent: 3, failed: 0 })
    rows = await endpointDeliveries()
    expect(rows.every((r) => r.status === "sent")).toBe(true)
    expect(rows.filter((r) => r.channel === "wecom").map((r) => r.attempts)).toEqual([2, 2, 2])

    // A returned report reaches them too, as 退回.
    received.length = 0
    const clerk = await engine.actor("clerk-a")
    await engine.run(acknowledge("spring-week/county-a/plan", clerk))
    const report = await engine.run(
      submitReport("spring-week/county-a/plan", { narrative: { narrative: "初稿" } }, clerk),
    )
    await engine.run(approve(report.report, lead))
    await deliver("2026-04-14T09:00:00+08:00")
    expect(received.map((r) => r.path).sort()).toEqual(["/cgi-bin/webhook/send", "/robot/send"])
    expect(JSON.parse(received[0]?.body ?? "{}").markdown).toMatchObject({
      [received[0]?.path === "/robot/send" ? "title" : "content"]: expect.stringContaining(
        "【已通过】测试宣传周：制定工作方案",
      ),
    })
  })

  it("retries a failing receiver with backoff, parks it after the last attempt, and counts a timeout as a failure", async () => {
    await engine.run(addWebhook("spring-week", { kind: "webhook", url: `${base}/hook` }, await engine.actor("lead")))
    behaviour.hook = 503
    await engine.advance("2026-04-13T09:00:00+08:00")
    const options = { maxAttempts: 3, webhookTimeoutMs: 300 }
    expect(await deliver("2026-04-13T09:00:00+08:00", options)).toMatchObject({ sent: 0, failed: 3 })
    expect((await endpointDeliveries())[0]?.last_error).toContain("HTTP 503")
    // Not due again for 30 seconds; then a receiver that does not answer in time.
    expect(await deliver("2026-04-13T09:00:10+08:00", options)).toMatchObject({ sent: 0, failed: 0 })
    behaviour.hook = "hang"
    expect(await deliver("2026-04-13T09:00:31+08:00", options)).toMatchObject({ failed: 3 })
    expect((await endpointDeliveries())[0]?.last_error).toBe("timed out")
    // The next is due a minute later, and is the last.
    behaviour.hook = 500
    expect(await deliver("2026-04-13T09:01:00+08:00", options)).toMatchObject({ failed: 0, parked: 0 })
    expect(await deliver("2026-04-13T09:01:32+08:00", options)).toMatchObject({ parked: 3 })
    expect((await endpointDeliveries()).map((r) => [r.status, r.attempts])).toEqual([
      ["parked", 3],
      ["parked", 3],
      ["parked", 3],
    ])
    expect(await deliver("2026-04-14T09:00:00+08:00", options)).toMatchObject({ sent: 0, failed: 0, parked: 0 })
    // Every attempt at one delivery carried its one id.
    const byId = new Map<string, number>()
    for (const hook of hooks())
      byId.set(String(hook.headers["liandong-id"]), (byId.get(String(hook.headers["liandong-id"])) ?? 0) + 1)
    expect([...byId.values()]).toEqual([3, 3, 3])
  })

  it("posts again, with the same Liandong-Id, what a stopped worker posted but did not record", async () => {
    const added = await engine.run(
      addWebhook("spring-week", { kind: "webhook", url: `${base}/hook` }, await engine.actor("lead")),
    )
    await engine.advance("2026-04-13T09:00:00+08:00")
    // The receiver has the POSTs (they go out together), and the worker is stopped before it hears back.
    behaviour.hook = "hang"
    const receiverHasThem = Effect.gen(function* () {
      while (hooks().length < 3) yield* Effect.sleep(20)
    })
    await engine.run(Effect.raceFirst(deliverNotices(new Date("2026-04-13T09:00:00+08:00")), receiverHasThem))
    expect(hooks()).toHaveLength(3)
    expect((await endpointDeliveries()).filter((r) => r.status === "sent")).toHaveLength(0)
    behaviour.hook = 200
    await deliver("2026-04-13T09:01:00+08:00")
    const ids = hooks().map((r) => String(r.headers["liandong-id"]))
    // Each delivery arrived twice, with one id: the receiver drops the repeat by it.
    expect(ids).toHaveLength(6)
    expect(new Set(ids).size).toBe(3)
    expect(ids.slice(3).sort()).toEqual(ids.slice(0, 3).sort())
    for (const hook of hooks())
      expect(verifyWebhook(added.secret as string, hook.headers, hook.body, new Date()).ok).toBe(true)
    expect((await endpointDeliveries()).every((r) => r.status === "sent" && r.attempts === 1)).toBe(true)
  })

  it("lets only the coordinator register and remove endpoints, journals it, and the journal still verifies", async () => {
    const lead = await engine.actor("lead")
    const clerk = await engine.actor("clerk-a")
    const auditor = await engine.actor("auditor")
    const input = { kind: "webhook", url: `${base}/hook`, secret: "a-secret-of-our-own-0001" }
    expect((await engine.failure(addWebhook("spring-week", input, clerk)))._tag).toBe("NotAllowed")
    expect((await engine.failure(addWebhook("spring-week", input, auditor)))._tag).toBe("NotAllowed")
    expect((await engine.failure(listWebhooks("spring-week", clerk)))._tag).toBe("NotAllowed")
    expect((await engine.failure(addWebhook("no-such-campaign", input, lead)))._tag).toBe("NotFound")
    // Bad input names its field, in both languages.
    const bad = async (value: unknown) => {
      const error = await engine.failure(addWebhook("spring-week", value, lead))
      expect(error._tag).toBe("InvalidInput")
      return (error as { problems: ReadonlyArray<{ path: string; zh: string; en: string }> }).problems
    }
    expect((await bad({ kind: "webhook", url: "ftp://example.gov.cn/x" }))[0]).toMatchObject({ path: "url" })
    expect((await bad({ kind: "wecom", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send" }))[0]).toMatchObject({
      path: "url",
      zh: expect.stringContaining("key"),
    })
    expect((await bad({ kind: "webhook", url: `${base}/hook`, secret: "short" }))[0]).toMatchObject({ path: "secret" })
    expect((await bad({ kind: "webhook", url: `${base}/hook`, events: ["everything"] }))[0]?.path).toMatch(/^events/)
    expect((await bad({ kind: "sms", url: `${base}/hook` }))[0]).toMatchObject({ path: "kind" })
    // An allow-list refuses other hosts.
    const refused = await engine.failure(
      Effect.provideService(addWebhook("spring-week", input, lead), WebhookAllowRef, ["*.gov.cn"]),
    )
    expect(refused).toMatchObject({ _tag: "InvalidInput", problems: [{ path: "url" }] })
    const allowed = await engine.run(
      Effect.provideService(addWebhook("spring-week", input, lead), WebhookAllowRef, ["127.0.0.1", "*.gov.cn"]),
    )
    // A supplied secret is shown back once, then never.
    expect(allowed.secret).toBe(input.secret)
    expect(JSON.stringify(await engine.run(listWebhooks("spring-week", lead)))).not.toContain(input.secret)

    // A notice fanned out, its endpoint removed before it went: parked, not posted.
    await engine.advance("2026-04-13T09:00:00+08:00")
    expect(await engine.run(expandNotices(new Date("2026-04-13T09:00:00+08:00")))).toBe(3)
    expect((await engine.failure(removeWebhook("spring-week", allowed.id, clerk)))._tag).toBe("NotAllowed")
    expect(await engine.run(removeWebhook("spring-week", allowed.id, lead))).toMatchObject({ removed: true })
    expect(await engine.run(removeWebhook("spring-week", allowed.id, lead))).toMatchObject({ removed: false })
    expect(await engine.run(listWebhooks("spring-week", lead))).toEqual([])
    expect(await deliver("2026-04-13T09:00:00+08:00")).toMatchObject({ sent: 0, parked: 3 })
    expect(hooks()).toEqual([])
    expect((await endpointDeliveries()).map((r) => r.last_error)).toEqual(
      Array(3).fill("endpoint removed / 端点已移除"),
    )

    const events = await journalEvents()
    expect(events.filter((e) => e.event.startsWith("webhook.")).map((e) => [e.event, e.actor])).toEqual([
      ["webhook.added", "lead"],
      ["webhook.removed", "lead"],
    ])
    expect(JSON.stringify(events)).not.toContain(input.secret)
    expect(events.filter((e) => e.event === "access.denied").map((e) => e.payload.action)).toEqual(
      expect.arrayContaining(["webhook.add", "webhook.list", "webhook.remove"]),
    )
    const verdict = await engine.run(verifyCampaign("spring-week", operator))
    expect(verdict.findings).toEqual([])
  })
})
