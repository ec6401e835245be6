/**
 * Bad input against every endpoint, generated from the OpenAPI document: each
 * request spoils one part — a path parameter, a query parameter, the
 * Idempotency-Key header or the body — and keeps the rest valid, sent by a
 * principal allowed to make the request. Every answer is a problem (never a
 * 5xx); a 400 names the spoiled field; nothing in the database changes.
 * Besides values a schema refuses by its shape, every kind of input is tried
 * with what only the database or the calendar would refuse: NUL characters,
 * lone surrogates, impossible dates, figures no reading makes a number of.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { figureDecimal } from "@liandong/workflow"
import fc from "fast-check"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { mainCampaign, type Seeded, seed, tinyPdf } from "./fixture.ts"
import { call, denials, fingerprint, isProblem, startTestServer } from "./harness.ts"

interface Parameter {
  readonly name: string
  readonly in: "path" | "query" | "header"
  readonly schema: { pattern?: string; enum?: string[]; maxLength?: number; type?: string }
}

interface Operation {
  readonly method: string
  readonly path: string
  readonly operationId: string
  readonly parameters: ReadonlyArray<Parameter>
  readonly body: boolean
}

/** One spoiled request. */
interface Spoiled {
  readonly place: "path" | "query" | "header" | "body"
  readonly name: string
  readonly value: unknown
}

const text = fc.string({ minLength: 1, maxLength: 24, unit: "grapheme" })

/** Text PostgreSQL cannot store or Unicode does not allow, alone or inside other text. */
const unstorable = fc
  .tuple(
    fc.string({ maxLength: 6 }),
    fc.constantFrom("\u0000", "\ud800", "\udfff", "\ud83d"),
    fc.string({ maxLength: 6 }),
  )
  .map(([a, bad, b]) => `${a}${bad}${b}`)

/** Times of the right shape that name no instant. */
const impossibleTimes = [
  "2026-13-45T99:99Z",
  "2026-02-30T10:00Z",
  "2026-04-31T10:00+08:00",
  "2026-04-20T24:00Z",
  "2026-04-20T10:60Z",
  "2026-00-10T10:00Z",
]

/** Figures no reading makes a number of: ambiguous grouping, full-width letters, two points. */
const notFigures = fc.constantFrom("1,20", "１,２0,0", "１２..５", "ｘ３", "3e5")

/** Percent-encodes text for a URL, lone surrogates included (as the bytes a lax encoder would send). */
const encode = (value: string) =>
  [...value]
    .map((c) => {
      const code = c.charCodeAt(0)
      if (c.length === 1 && code >= 0xd800 && code <= 0xdfff)
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join("")
      return encodeURIComponent(c)
    })
    .join("")

/** Values a parameter's schema refuses. */
const badValue = (parameter: Parameter): fc.Arbitrary<string> => {
  const { schema } = parameter
  const options: Array<fc.Arbitrary<string>> = []
  if (schema.enum !== undefined) options.push(text.filter((s) => !schema.enum?.includes(s)))
  if (schema.pattern !== undefined) {
    const pattern = new RegExp(schema.pattern, "u")
    const samples = ["UPPER", "有中文", "a b", "-lead", "x".repeat(70), "1.5", "", "+", "a\u0000b", "１２００"]
    options.push(fc.oneof(text, unstorable, fc.constantFrom(...samples)).filter((s) => !pattern.test(s)))
    if (schema.pattern.startsWith("^\\d{4}")) options.push(fc.constantFrom(...impossibleTimes))
  }
  if (schema.maxLength !== undefined) {
    const max = schema.maxLength
    options.push(fc.integer({ min: max + 1, max: max + 50 }).map((n) => "x".repeat(n)))
  }
  // A header carries Latin-1 only, without surrounding blanks (fetch refuses or trims the rest).
  if (parameter.in === "header") {
    return fc
      .oneof(...options, fc.constantFrom("has space", "ümlaut", "x".repeat(201)))
      .filter(
        (s) => /^[\x21-\xff]([\x20-\xff]*[\x21-\xff])?$/u.test(s) && !new RegExp(schema.pattern ?? "$^", "u").test(s),
      )
  }
  // An empty or dot segment is another URL, not a value of the parameter.
  if (parameter.in === "path") return fc.oneof(...options).filter((s) => s !== "" && !/^\.+$/u.test(s))
  if (parameter.name === "limit") options.push(fc.constantFrom("0", "501", "-1", "2.5", "abc", "1e9", "１００"))
  if (parameter.name === "actor") options.push(unstorable)
  if (parameter.name === "since" && schema.pattern?.startsWith("^[+-]?")) options.push(fc.constantFrom("-1", "2.5"))
  return fc.oneof(...options)
}

const figureValue = fc.oneof(
  fc.integer({ max: -1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  text.filter((s) => figureDecimal(s) === undefined),
  unstorable,
  notFigures,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
)

/** Bodies an operation refuses. */
const badBody = (operationId: string): fc.Arbitrary<unknown> => {
  const notAnObject = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 3 }))
  switch (operationId) {
    case "tasks.submitReport":
      return fc.oneof(
        notAnObject,
        fc.record({ figures: fc.record({ attendees: figureValue }), narrative: fc.constant({ narrative: "说明" }) }),
        fc.record({
          figures: fc.constant({ attendees: 3 }),
          narrative: fc.record({ narrative: fc.oneof(fc.integer(), fc.constant(""), unstorable) }),
        }),
        fc.record({
          figures: fc.constant({ attendees: 3 }),
          narrative: fc.dictionary(unstorable, fc.constant("说明"), { minKeys: 1, maxKeys: 2 }),
        }),
        fc.record({
          figures: fc.dictionary(
            text.filter((k) => k !== "attendees"),
            fc.nat(),
            { minKeys: 1, maxKeys: 2 },
          ),
          narrative: fc.constant({ narrative: "说明" }),
        }),
      )
    case "reports.return":
      return fc.oneof(
        notAnObject,
        fc.record({
          reason: fc.oneof(fc.constantFrom("", "   ", "\n"), fc.integer(), fc.constant("理".repeat(2001)), unstorable),
        }),
        fc.record({ cause: fc.string() }),
      )
    case "reports.approve":
      return fc.oneof(
        notAnObject,
        // A null comment is no comment (JSON has no undefined): approved with "同意".
        fc.record({ comment: fc.oneof(fc.integer(), fc.constant("意".repeat(501)), unstorable) }),
      )
    case "reports.approveMany":
      return fc.oneof(
        notAnObject,
        fc.constant({ reports: [] }),
        fc.constant({ reports: Array.from({ length: 201 }, (_, i) => String(i + 1)) }),
        fc.record({
          reports: fc.array(fc.oneof(fc.constantFrom("0", "-1", "abc", "1.5", ""), unstorable), {
            minLength: 1,
            maxLength: 3,
          }),
        }),
        fc.record({ reports: fc.constant(["1"]), comment: fc.oneof(fc.constant("意".repeat(501)), unstorable) }),
        fc.record({ comment: fc.constant("同意") }),
      )
    case "notices.read":
      return fc.oneof(
        notAnObject,
        fc.record({
          ids: fc.oneof(
            fc.integer(),
            fc.string().filter((t) => t !== "all"),
            fc.boolean(),
            fc.constant(null),
          ),
        }),
        fc.record({
          ids: fc.array(
            fc.oneof(
              text.filter((t) => !/^\d{1,18}$/.test(t)),
              unstorable,
            ),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        fc.constant({ ids: Array.from({ length: 501 }, (_, i) => String(i + 1)) }),
        fc.dictionary(
          text.filter((k) => k !== "ids"),
          fc.jsonValue(),
          { minKeys: 1, maxKeys: 3 },
        ),
      )
    case "notices.setPreferences":
      return fc.oneof(
        notAnObject,
        // quiet hours must be given (null: none)
        fc.constant({ muted: [] }),
        fc.record({
          muted: fc.oneof(
            fc.array(
              text.filter(
                (t) =>
                  !["reminder", "overdue", "returned", "approved", "phase-opened", "nudge", "escalated"].includes(t),
              ),
              { minLength: 1, maxLength: 2 },
            ),
            fc.integer(),
            fc.constant("nudge"),
          ),
          quietHours: fc.constant(null),
        }),
        fc.record({
          muted: fc.constant([]),
          quietHours: fc.oneof(
            fc.record({ from: fc.constantFrom("24:00", "7:30", "22:60", "", "晚上"), to: fc.constant("07:30") }),
            fc.record({ from: fc.constant("22:00"), to: fc.oneof(unstorable, fc.integer(), fc.constant("7.30")) }),
            fc.constantFrom("22:00-07:30", { from: "22:00" }, { from: "08:00", to: "08:00" }),
          ),
        }),
        fc.record({
          muted: fc.constant([]),
          quietHours: fc.constant(null),
          timeZone: fc.oneof(fc.constantFrom("Mars/Olympus", "", "上海", "x".repeat(65)), unstorable, fc.integer()),
        }),
      )
    case "campaigns.change":
      return fc.oneof(
        notAnObject,
        fc.record({ change: fc.oneof(fc.constant({}), fc.record({ kind: text }), fc.integer()) }),
        fc.record({
          change: fc.record({
            kind: fc.constant("extend"),
            task: fc.constant("events"),
            deadline: fc.oneof(
              text.filter((t) => !/^\d{4}-/.test(t)),
              unstorable,
            ),
          }),
        }),
        fc.record({
          change: fc.constant({ kind: "withdraw-unit", unit: "district-b" }),
          reason: fc.oneof(fc.integer(), unstorable, fc.constant("理".repeat(501))),
        }),
      )
    case "notices.nudge":
      return fc.oneof(
        notAnObject,
        // neither units nor which, or both
        fc.constant({}),
        fc.constant({ units: ["district-b"], which: "unreported" }),
        fc.record({
          which: fc.oneof(
            text.filter((t) => !["unacknowledged", "unreported", "returned"].includes(t)),
            fc.integer(),
          ),
        }),
        fc.record({
          units: fc.oneof(
            fc.constant([]),
            fc.array(fc.oneof(fc.constantFrom("UPPER", "有中文", "-lead"), unstorable, fc.integer()), {
              minLength: 1,
              maxLength: 3,
            }),
            fc.constant(Array.from({ length: 1001 }, (_, i) => `unit-${i}`)),
          ),
        }),
        fc.record({
          which: fc.constant("unreported"),
          message: fc.oneof(fc.constant("催".repeat(501)), unstorable, fc.integer()),
        }),
        fc.record({ which: fc.constant("unreported"), phase: fc.constantFrom("UPPER", "有中文", "") }),
      )
    case "webhooks.add":
      return fc.oneof(
        notAnObject,
        fc.record({
          kind: fc.string().filter((k) => !["webhook", "wecom", "dingtalk"].includes(k)),
          url: fc.constant("https://x.example/h"),
        }),
        fc.record({
          kind: fc.constant("webhook"),
          url: fc.oneof(
            fc.constantFrom(
              "",
              "ftp://x.example/h",
              "javascript:alert(1)",
              "https://",
              `https://x.example/${"a".repeat(2000)}`,
            ),
            unstorable,
          ),
        }),
        fc.record({
          kind: fc.constant("webhook"),
          url: fc.constant("https://x.example/h"),
          events: fc.oneof(
            fc.constant([]),
            fc.array(
              text.filter((t) => !["reminder", "overdue", "returned", "approved", "phase-opened", "nudge"].includes(t)),
              { minLength: 1, maxLength: 2 },
            ),
          ),
        }),
        fc.record({
          kind: fc.constant("webhook"),
          url: fc.constant("https://x.example/h"),
          secret: fc.oneof(fc.constantFrom("short", "has a space in the secret here", "x".repeat(201)), unstorable),
        }),
      )
    case "campaigns.deploy":
      return fc.oneof(
        notAnObject,
        fc.dictionary(text, fc.jsonValue(), { maxKeys: 4 }),
        // a definition that would deploy but for one piece of text
        fc
          .tuple(fc.constantFrom("title", "theme", "authority", "titleEn"), unstorable)
          .map(([field, value]) => ({ ...mainCampaign, [field]: value })),
        unstorable.map((value) => ({ ...mainCampaign, units: [{ ...mainCampaign.units[0], name: value }] })),
      )
    default:
      return fc.oneof(notAnObject, fc.dictionary(text, fc.jsonValue(), { maxKeys: 4 }))
  }
}

const validValues = (seeded: Seeded): Record<string, string> => ({
  campaign: "matrix-main",
  unit: "district-a",
  task: "events",
  phase: "publicity",
  report: seeded.reports["district-a"] as string,
  attachment: seeded.attachments["district-a"] as string,
  webhook: "999999",
})

/** An upload's body is a file, not JSON: its refusals are attachments.test.ts's. */
const isUpload = (operationId: string) => operationId === "tasks.uploadAttachment"

const tokenFor = (operationId: string, seeded: Seeded) =>
  (operationId.startsWith("tasks.") ? seeded.tokens["unit-a"] : seeded.tokens.lead) as string

describeEachDatabase(
  "bad input",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    let operations: Operation[]

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
      const document = (await call(server.url, "GET", "/openapi.json")).json
      operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          operationId: op.operationId as string,
          parameters: (op.parameters ?? []) as Parameter[],
          body: op.requestBody !== undefined,
        })),
      )
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("answers every spoiled request to every endpoint with a problem naming the field, and changes nothing", async () => {
      const spoilable = operations.filter((op) => op.parameters.length > 0 || op.body)
      expect(spoilable.length).toBeGreaterThan(20)
      const before = await fingerprint(db.store())
      const deniedBefore = await denials(db.store())
      for (const op of spoilable) {
        const spoilers: Array<fc.Arbitrary<Spoiled>> = op.parameters
          .filter(
            (p) => p.schema.pattern !== undefined || p.schema.enum !== undefined || p.schema.maxLength !== undefined,
          )
          .map((p) => badValue(p).map((value): Spoiled => ({ place: p.in, name: p.name, value })))
        if (op.body && !isUpload(op.operationId))
          spoilers.push(badBody(op.operationId).map((value): Spoiled => ({ place: "body", name: "", value })))
        await fc.assert(
          fc.asyncProperty(fc.oneof(...spoilers), fc.constantFrom("zh-CN", "en"), async (spoiled, lang) => {
            const values = validValues(seeded)
            if (spoiled.place === "path") values[spoiled.name] = String(spoiled.value)
            const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(values[name] ?? ""))
            const query = spoiled.place === "query" ? `?${spoiled.name}=${encode(String(spoiled.value))}` : ""
            const headers = spoiled.place === "header" ? { [spoiled.name]: String(spoiled.value) } : {}
            const body = op.body
              ? spoiled.place === "body"
                ? spoiled.value
                : op.operationId === "reports.return"
                  ? { reason: "理由" }
                  : op.operationId === "reports.approveMany"
                    ? { reports: [values.report] }
                    : op.operationId === "campaigns.change"
                      ? { change: { kind: "withdraw-unit", unit: "district-b" }, dryRun: true }
                      : op.operationId === "notices.nudge"
                        ? { which: "unreported" }
                        : op.operationId === "webhooks.add"
                          ? { kind: "webhook", url: "https://hooks.example.invalid/liandong" }
                          : {}
              : undefined
            const answer = await call(server.url, op.method, `${path}${query}`, {
              token: tokenFor(op.operationId, seeded),
              headers,
              lang,
              ...(isUpload(op.operationId)
                ? {
                    raw: tinyPdf("bad input").toString("latin1"),
                    headers: { ...headers, "content-type": "application/octet-stream", "x-file-name": "a.pdf" },
                  }
                : body === undefined
                  ? {}
                  : { raw: JSON.stringify(body), headers: { ...headers, "content-type": "application/json" } }),
            })
            const where = `${op.method} ${path}${query} ${spoiled.place} ${JSON.stringify(spoiled.value).slice(0, 80)}`
            expect(answer.status, where).toBeLessThan(500)
            expect(isProblem(answer), `${where}: ${answer.text}`).toBe(true)
            if (spoiled.place === "path" && answer.status === 404) {
              // A value that is no route at all (an encoded "/") is a missing route, still a problem.
              expect(answer.json.what, where).toBe("route")
              return
            }
            expect(answer.status, `${where}: ${answer.text}`).toBe(400)
            const errors = answer.json.errors as Array<{ in: string; path: string; detail: string }>
            expect(errors.length, where).toBeGreaterThan(0)
            if (spoiled.place === "body")
              expect(
                errors.every((e) => e.in === "body"),
                where,
              ).toBe(true)
            else
              expect(
                errors.some((e) => e.in === spoiled.place && e.path === spoiled.name),
                `${where}: ${answer.text}`,
              ).toBe(true)
            for (const error of errors) expect(error.detail.length, where).toBeGreaterThan(0)
            if (lang === "en") expect(answer.json.detail, where).not.toMatch(/[\u4e00-\u9fff]{2}/u)
          }),
          { numRuns: 25 },
        )
      }
      expect(await fingerprint(db.store())).toBe(before)
      expect(await denials(db.store())).toBe(deniedBefore)
    })

    it("answers NUL, lone surrogates, impossible dates and unreadable figures with a 400 naming the field", async () => {
      const lead = seeded.tokens.lead as string
      const unitA = seeded.tokens["unit-a"] as string
      const journal = "/api/v1/campaigns/matrix-main/journal"
      const reports = "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/reports"
      const returned = `/api/v1/reports/${seeded.reports["district-b"]}/return`
      const cases = [
        { path: `${journal}?since=2026-13-45T99:99Z`, token: lead, in: "query", field: "since" },
        { path: `${journal}?until=2026-02-30T10:00%2B08:00`, token: lead, in: "query", field: "until" },
        { path: `${journal}?since=2026-04-20T24:00Z`, token: lead, in: "query", field: "since" },
        { path: `${journal}?actor=lead%00`, token: lead, in: "query", field: "actor" },
        { path: "/api/v1/campaigns/matrix%00main", token: lead, in: "path", field: "campaign" },
        {
          path: reports,
          token: unitA,
          body: { figures: { attendees: "1,20" } },
          in: "body",
          field: "figures.attendees",
        },
        {
          path: reports,
          token: unitA,
          body: { figures: { attendees: 3 }, narrative: { narrative: "说明\u0000" } },
          in: "body",
          field: "narrative.narrative",
        },
        {
          path: reports,
          token: unitA,
          body: { figures: { attendees: 3 }, narrative: { narrative: "说明\ud800" } },
          in: "body",
          field: "narrative.narrative",
        },
        { path: returned, token: lead, body: { reason: "理由\udc00" }, in: "body", field: "reason" },
        {
          path: `/api/v1/reports/${seeded.reports["district-b"]}/approve`,
          token: lead,
          body: { comment: "意".repeat(501) },
          in: "body",
          field: "comment",
        },
        { path: "/api/v1/reports/approve", token: lead, body: { reports: [] }, in: "body", field: "reports" },
        {
          path: "/api/v1/reports/approve",
          token: lead,
          body: { reports: Array.from({ length: 201 }, (_, i) => String(i + 1)) },
          in: "body",
          field: "reports",
        },
        {
          path: "/api/v1/reports/approve",
          token: lead,
          body: { reports: ["1", "x1"] },
          in: "body",
          field: "reports[1]",
        },
        {
          path: "/api/v1/reports/approve",
          token: lead,
          body: { reports: ["1"], comment: "意".repeat(501) },
          in: "body",
          field: "comment",
        },
        {
          path: "/api/v1/campaigns",
          token: lead,
          body: { ...mainCampaign, title: "周\u0000" },
          in: "body",
          field: "title",
        },
      ]
      const before = await fingerprint(db.store())
      for (const c of cases)
        for (const lang of ["zh-CN", "en"]) {
          const answer = await call(server.url, c.body === undefined ? "GET" : "POST", c.path, {
            token: c.token,
            lang,
            ...(c.body === undefined
              ? {}
              : { raw: JSON.stringify(c.body), headers: { "content-type": "application/json" } }),
          })
          const where = `${c.path} ${JSON.stringify(c.body ?? "")} ${lang}: ${answer.text}`
          expect(answer.status, where).toBe(400)
          expect(isProblem(answer), where).toBe(true)
          expect(answer.json.errors, where).toContainEqual(expect.objectContaining({ in: c.in, path: c.field }))
          if (lang === "en") expect(answer.json.detail, where).not.toMatch(/[\u4e00-\u9fff]{2}/u)
          else expect(answer.json.detail, where).toMatch(/[\u4e00-\u9fff]{2}/u)
        }
      expect(await fingerprint(db.store())).toBe(before)
    })

    it("answers a body that is not JSON, or not declared as JSON, with a problem", async () => {
      const path = "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/reports"
      const token = seeded.tokens["unit-a"] as string
      const broken = await call(server.url, "POST", path, {
        token,
        raw: '{"figures": {',
        headers: { "content-type": "application/json" },
      })
      expect(broken.status).toBe(400)
      expect(broken.json.errors).toEqual([{ in: "body", path: "", detail: "请求体不是有效的 JSON" }])
      const form = await call(server.url, "POST", path, {
        token,
        raw: "figures=1",
        headers: { "content-type": "text/plain" },
        lang: "en",
      })
      expect(form.status).toBe(415)
      expect(isProblem(form)).toBe(true)
    })
  },
  { resetEach: false },
)
