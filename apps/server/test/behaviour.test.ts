/**
 * The server's behaviour over HTTP beyond authorization: a report's round
 * trip through the API, answers in Chinese or English, body and rate limits,
 * live updates, the summary in each format, the journal download.
 */
import { workbookMediaType } from "@liandong/api"
import { describeEachDatabase } from "@liandong/store/testing"
import readExcelFile from "read-excel-file/node"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, startTestServer } from "./harness.ts"

/** Reads server-sent events until `until` holds for one, or fails after `ms`. */
const readEvents = async (response: Response, until: (data: any) => boolean, ms = 8000) => {
  const reader = response.body?.getReader()
  if (reader === undefined) throw new Error("no body")
  const decoder = new TextDecoder()
  let buffer = ""
  const seen: any[] = []
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const { value, done } = await Promise.race([
      reader.read(),
      new Promise<{ value: undefined; done: true }>((resolve) =>
        setTimeout(() => resolve({ value: undefined, done: true }), deadline - Date.now()),
      ),
    ])
    if (done) break
    buffer += decoder.decode(value, { stream: true })
    for (let at = buffer.indexOf("\n\n"); at >= 0; at = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, at)
      buffer = buffer.slice(at + 2)
      const data = frame.split("\n").find((line) => line.startsWith("data: "))
      if (data === undefined) continue
      const parsed = JSON.parse(data.slice(6))
      seen.push(parsed)
      if (until(parsed)) {
        await reader.cancel()
        return seen
      }
    }
  }
  await reader.cancel()
  throw new Error(`no matching event in ${ms} ms; saw ${JSON.stringify(seen)}`)
}

describeEachDatabase(
  "server behaviour",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    const token = (who: string) => seeded.tokens[who] as string

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("tells a principal who it is, and says the database is ready", async () => {
      const me = await call(server.url, "GET", "/api/v1/me", { token: token("unit-a") })
      expect(me.json).toEqual({
        id: "unit-a",
        name: "甲区联络员",
        role: "unit",
        unit: "district-a",
        unitName: "甲区分局",
      })
      const ready = await call(server.url, "GET", "/readyz")
      expect(ready.json).toEqual({ status: "ready", database: db.kind })
    })

    it("carries a report through submit, return, resubmit and approval, with its history", async () => {
      const task = "/api/v1/campaigns/matrix-main/units/district-b/tasks/events"
      expect((await call(server.url, "POST", `${task}/acknowledge`, { token: token("unit-b") })).status).toBe(200)
      const first = await call(server.url, "POST", `${task}/reports`, {
        token: token("unit-b"),
        body: { figures: { attendees: 120 }, narrative: { narrative: "举办讲座两场" } },
      })
      expect(first.json).toMatchObject({ status: "submitted", attempt: 1 })
      const returned = await call(server.url, "POST", `/api/v1/reports/${first.json.report}/return`, {
        token: token("lead"),
        body: { reason: "请附参会名单" },
      })
      expect(returned.json).toMatchObject({ status: "returned" })
      const mine = await call(server.url, "GET", `${task}`, { token: token("unit-b") })
      expect(mine.json).toMatchObject({
        status: "returned",
        returns: 1,
        figures: [{ key: "attendees", measure: "人次" }],
      })
      const second = await call(server.url, "POST", `${task}/reports`, {
        token: token("unit-b"),
        body: { figures: { attendees: "121" }, narrative: { narrative: "举办讲座两场,附名单" } },
      })
      expect(second.json).toMatchObject({ status: "submitted", attempt: 2 })
      const approved = await call(server.url, "POST", `/api/v1/reports/${second.json.report}/approve`, {
        token: token("lead"),
      })
      expect(approved.json).toMatchObject({ status: "approved" })
      const detail = await call(server.url, "GET", `/api/v1/reports/${second.json.report}`, { token: token("unit-b") })
      expect(detail.json.figures).toEqual({ attendees: "121" })
      expect(detail.json.attempts.map((a: any) => [a.attempt, a.status, a.returnReason])).toEqual([
        [1, "returned", "请附参会名单"],
        [2, "approved", null],
      ])
      expect(detail.json.history.map((h: any) => h.event)).toEqual([
        "task.acknowledge",
        "task.submit",
        "task.return",
        "task.submit",
        "task.approve",
      ])
      const totals = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/totals", { token: token("lead") })
      const attendees = totals.json.figures.find((f: any) => f.figure === "attendees")
      expect(attendees).toMatchObject({ total: "121", measure: "人次", label: { zh: "参加人数", en: "attendees" } })
      // Unit A's totals count its own and its county's reports, never unit B's.
      const units = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/totals", { token: token("unit-a") })
      const contributors = units.json.figures.flatMap((f: any) => f.contributions.map((c: any) => c.unit))
      expect(contributors).toContain("district-a")
      expect(contributors).not.toContain("district-b")
    })

    it("hands out the workbook (.xlsx) with only the rows the caller may read", async () => {
      const path = "/api/v1/campaigns/matrix-main/workbook"
      const sheets = async (who: string) => {
        const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token(who)}` } })
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe(workbookMediaType)
        expect(response.headers.get("content-disposition")).toContain('filename="matrix-main.xlsx"')
        const book = await readExcelFile(Buffer.from(await response.arrayBuffer()))
        return Object.fromEntries(book.map((s) => [s.sheet, s.data]))
      }
      const lead = await sheets("lead")
      expect(Object.keys(lead)).toEqual(["进度", "分单位汇总", "分级汇总", "发放宣传资料", "举办宣传活动", "报送总结"])
      expect((lead["发放宣传资料"] ?? []).map((row) => row[0])).toContain("乙区分局")
      const unitA = JSON.stringify(await sheets("unit-a"))
      expect(unitA).toContain("甲区秘闻")
      expect(unitA).toContain("甲一县秘闻")
      expect(unitA).not.toContain("乙区")
      const other = await call(server.url, "GET", path, { token: token("other-lead") })
      expect(other.status).toBe(404)
    })

    it("pages listings with a cursor, and refuses a cursor it did not hand out", async () => {
      const all = await call(server.url, "GET", "/api/v1/tasks?campaign=matrix-main", { token: token("lead") })
      expect(all.json.items.length).toBe(9)
      const pages: string[] = []
      let cursor: string | null = null
      do {
        const page: any = await call(
          server.url,
          "GET",
          `/api/v1/tasks?campaign=matrix-main&limit=4${cursor ? `&cursor=${cursor}` : ""}`,
          {
            token: token("lead"),
          },
        )
        pages.push(...page.json.items.map((t: any) => t.ref))
        cursor = page.json.nextCursor
      } while (cursor !== null)
      expect(pages).toEqual(all.json.items.map((t: any) => t.ref))
      const journal = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/journal?limit=3", {
        token: token("lead"),
      })
      expect(journal.json.items.map((e: any) => e.seq)).toEqual([1, 2, 3])
      const bad = await call(server.url, "GET", "/api/v1/tasks?cursor=bm90LWEtY3Vyc29y", {
        token: token("lead"),
        lang: "en",
      })
      expect(bad.status).toBe(400)
      expect(bad.json.errors).toEqual([{ in: "query", path: "cursor", detail: "not a cursor from this listing" }])
    })

    it("answers in Chinese unless English is preferred", async () => {
      const path = "/api/v1/campaigns/no-such/status"
      const zh = await call(server.url, "GET", path, { token: token("lead") })
      expect(zh.json.detail).toBe("未找到活动“no-such”")
      const en = await call(server.url, "GET", path, { token: token("lead"), lang: "en-GB,en;q=0.9" })
      expect(en.json.detail).toBe('campaign "no-such" not found')
      const prefersZh = await call(server.url, "GET", path, { token: token("lead"), lang: "en;q=0.3, zh-CN;q=0.8" })
      expect(prefersZh.json.detail).toBe("未找到活动“no-such”")
    })

    it("refuses a body over the limit before reading it, by length or as it streams", async () => {
      const path = "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/reports"
      const big = JSON.stringify({ narrative: { narrative: "字".repeat(40_000) } })
      const declared = await call(server.url, "POST", path, {
        token: token("unit-a"),
        raw: big,
        headers: { "content-type": "application/json" },
      })
      expect(declared.status).toBe(413)
      expect(declared.json).toMatchObject({ type: "urn:liandong:problem:payload-too-large", limit: 64 * 1024 })
      const bytes = new TextEncoder().encode(big)
      const streamed = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token("unit-a")}`, "content-type": "application/json" },
        body: new ReadableStream({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 16_384) controller.enqueue(bytes.slice(at, at + 16_384))
            controller.close()
          },
        }),
        duplex: "half",
      } as RequestInit)
      expect(streamed.status).toBe(413)
      expect(streamed.headers.get("content-type")).toMatch(/^application\/problem\+json/)
    })

    it("sends a server-sent event when the campaign's journal grows, and a cursor to poll", async () => {
      const now = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/changes", { token: token("county") })
      const start: number = now.json.seq
      const response = await fetch(`${server.url}/api/v1/campaigns/matrix-main/events`, {
        headers: { authorization: `Bearer ${token("county")}` },
      })
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/)
      const reading = readEvents(response, (data) => data.changed && data.seq > start)
      const quiet = await call(server.url, "GET", `/api/v1/campaigns/matrix-main/changes?since=${start}`, {
        token: token("county"),
      })
      expect(quiet.json).toMatchObject({ seq: start, changed: false })
      await call(server.url, "POST", "/api/v1/campaigns/matrix-main/units/county-a1/tasks/events/acknowledge", {
        token: token("county"),
      })
      const events = await reading
      expect(events.at(-1)).toMatchObject({ campaign: "matrix-main", changed: true })
      expect(events.at(-1).seq).toBeGreaterThan(start)
    })

    it("renders the summary in each format and language, marked a draft while the campaign runs", async () => {
      const base = "/api/v1/campaigns/matrix-main/summary"
      const md = await fetch(`${server.url}${base}`, { headers: { authorization: `Bearer ${token("lead")}` } })
      expect(md.headers.get("content-type")).toMatch(/^text\/markdown/)
      expect(md.headers.get("x-liandong-draft")).toBe("true")
      expect(await md.text()).toContain("矩阵宣传周")
      const html = await fetch(`${server.url}${base}?format=html&lang=en`, {
        headers: { authorization: `Bearer ${token("auditor")}` },
      })
      expect(html.headers.get("content-type")).toMatch(/^text\/html/)
      expect(await html.text()).toMatch(/<html/i)
      const docx = await fetch(`${server.url}${base}?format=docx&level=district-a`, {
        headers: { authorization: `Bearer ${token("lead")}` },
      })
      expect(docx.headers.get("content-type")).toBe(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      )
      const bytes = new Uint8Array(await docx.arrayBuffer())
      expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b])
    })

    it("renders the 简报 form with its masthead, for the same readers as the summary", async () => {
      const base = "/api/v1/campaigns/matrix-main/summary?form=brief"
      const md = await fetch(`${server.url}${base}&issue=2&office=${encodeURIComponent("宣传周办公室")}`, {
        headers: { authorization: `Bearer ${token("lead")}` },
      })
      expect(md.status).toBe(200)
      const text = await md.text()
      expect(text).toContain("第2期")
      expect(text).toContain("宣传周办公室")
      const docx = await fetch(`${server.url}${base}&format=docx`, {
        headers: { authorization: `Bearer ${token("lead")}` },
      })
      expect(docx.headers.get("content-disposition")).toContain("matrix-main-brief.docx")
      const bad = await fetch(`${server.url}${base}&issue=0`, { headers: { authorization: `Bearer ${token("lead")}` } })
      expect(bad.status).toBe(400)
      const unit = await fetch(`${server.url}${base}`, { headers: { authorization: `Bearer ${token("county")}` } })
      expect(unit.status).toBe(403)
    })

    it("downloads the journal as JSON Lines that verify, row for row", async () => {
      const lines = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/journal.jsonl", {
        token: token("auditor"),
      })
      expect(lines.headers.get("content-type")).toMatch(/^application\/jsonl/)
      const rows = lines.text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1))
      const verdict = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/verification", {
        token: token("auditor"),
      })
      expect(verdict.json).toMatchObject({ ok: true, rows: rows.length, findings: [] })
      const checkpoint = await call(server.url, "POST", "/api/v1/campaigns/matrix-main/checkpoints", {
        token: token("lead"),
      })
      expect(checkpoint.json).toMatchObject({ campaign: "matrix-main", seq: rows.length, reason: "demand" })
      const held = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/checkpoints", {
        token: token("auditor"),
      })
      expect(held.json.at(-1)).toEqual(checkpoint.json)
    })

    it("draws a unit's machine with the states it is in", async () => {
      const graph = await call(server.url, "GET", "/api/v1/campaigns/matrix-main/units/district-a/machine", {
        token: token("unit-a"),
      })
      expect(graph.json.active).toEqual(
        expect.arrayContaining([
          "publicity",
          "publicity.open",
          "publicity.open.brochures",
          "publicity.open.brochures.approved",
        ]),
      )
      const ids = new Set(graph.json.nodes.map((n: any) => n.id))
      for (const edge of graph.json.edges) for (const target of edge.targets) expect(ids.has(target)).toBe(true)
      expect(graph.json.edges).toContainEqual({
        source: "publicity.open.brochures.submitted",
        event: "task.return",
        targets: ["publicity.open.brochures.returned"],
      })
    })

    it("limits each token's rate with 429 and Retry-After, apart from other tokens and health checks", async () => {
      const limited = await startTestServer(db.store(), seeded.keyFile, { rateLimit: { perMinute: 6, burst: 3 } })
      try {
        const statuses = []
        for (let i = 0; i < 4; i++)
          statuses.push((await call(limited.url, "GET", "/api/v1/me", { token: token("lead") })).status)
        expect(statuses).toEqual([200, 200, 200, 429])
        const refused = await call(limited.url, "GET", "/api/v1/me", { token: token("lead"), lang: "en" })
        // One token comes back every 10 s; how long is left depends on when the bucket last refilled.
        const wait = Number(refused.headers.get("retry-after"))
        expect(wait).toBeGreaterThanOrEqual(1)
        expect(wait).toBeLessThanOrEqual(10)
        expect(refused.json).toMatchObject({ type: "urn:liandong:problem:rate-limited", retryAfter: wait })
        expect((await call(limited.url, "GET", "/api/v1/me", { token: token("auditor") })).status).toBe(200)
        expect((await call(limited.url, "GET", "/healthz")).status).toBe(200)
      } finally {
        await limited.close()
      }
    })
  },
  { resetEach: false },
)
