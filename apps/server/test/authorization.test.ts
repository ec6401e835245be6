/**
 * The authorization matrix: every route of the published OpenAPI document ×
 * every caller (coordinator, unit A, unit B, the county under A, auditor,
 * anonymous, expired and revoked tokens) × every target (own, another unit's,
 * the county's, another campaign's, missing) answers what the declared policy
 * says; no answer carries a marker of a unit its caller may not read; a
 * refusal changes nothing but the journal of refusals, where a 403 is recorded.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { mainCampaign, markers, otherCampaign, type Seeded, seed, tinyPdf } from "./fixture.ts"
import { type Answer, call, denials, fingerprint, isProblem, startTestServer } from "./harness.ts"
import { type Caller, callers, expected, forbiddenMarkers, policy, type Target } from "./policy.ts"

interface Route {
  readonly method: string
  readonly path: string
  readonly operationId: string
}

const unitTargets = (task: string | null): Array<Target & { values: Record<string, string> }> => {
  const of = (campaign: string, unit: string, exists = true, taskKey = task) => ({
    name: `${campaign}/${unit}${taskKey ? `/${taskKey}` : ""}`,
    campaign,
    unit,
    exists,
    values: { campaign, unit, ...(taskKey ? { task: taskKey } : {}) },
  })
  return [
    of("matrix-main", "district-a"),
    of("matrix-main", "district-b"),
    of("matrix-main", "county-a1"),
    of("matrix-other", "other-district"),
    task === null ? of("matrix-main", "no-such-unit", false) : of("matrix-main", "district-a", false, "no-such-task"),
  ]
}

const campaignTargets = (extra: Record<string, string> = {}) =>
  [
    { name: "main", campaign: "matrix-main", exists: true },
    { name: "other", campaign: "matrix-other", exists: true },
    { name: "missing", campaign: "no-such-campaign", exists: false },
  ].map((t) => ({ ...t, unit: null, values: { campaign: t.campaign, ...extra } }))

/** The targets of a route, from the parameters its path names. */
const targetsOf = (route: Route, seeded: Seeded): Array<Target & { values: Record<string, string> }> => {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
  if (params.includes("task")) return unitTargets("events")
  if (params.includes("unit")) return unitTargets(null)
  if (params.includes("phase")) return campaignTargets({ phase: "publicity" })
  if (params.includes("webhook")) return campaignTargets({ webhook: "999999" })
  if (params.includes("campaign")) return campaignTargets()
  if (params.includes("report")) {
    const of = (unit: string, campaign: string) => ({
      name: `report of ${unit}`,
      campaign,
      unit,
      exists: true,
      values: { report: seeded.reports[unit] as string, attachment: seeded.attachments[unit] as string },
    })
    return [
      of("district-a", "matrix-main"),
      of("district-b", "matrix-main"),
      of("county-a1", "matrix-main"),
      of("other-district", "matrix-other"),
      {
        name: "missing report",
        campaign: "matrix-main",
        unit: null,
        exists: false,
        values: { report: "999999", attachment: "999999" },
      },
    ]
  }
  if (route.operationId === "campaigns.deploy") {
    return [
      { name: "own definition", campaign: "matrix-main", unit: null, exists: true, values: {} },
      { name: "another city's definition", campaign: "matrix-other", unit: null, exists: true, values: {} },
    ]
  }
  return [{ name: "-", campaign: null, unit: null, exists: true, values: {} }]
}

const bodyOf = (route: Route, target: Target, seeded: Seeded): unknown => {
  switch (route.operationId) {
    case "campaigns.deploy":
      return target.campaign === "matrix-main" ? mainCampaign : otherCampaign
    case "tasks.submitReport":
      return { figures: { attendees: 12 }, narrative: { narrative: "矩阵测试" } }
    case "reports.return":
      return { reason: "矩阵退回" }
    case "reports.approveMany":
      return {
        reports: [
          ...["district-a", "district-b", "county-a1", "other-district"].map((u) => seeded.reports[u]),
          "999999",
        ],
        comment: "矩阵批量同意",
      }
    case "campaigns.change":
      return { change: { kind: "withdraw-unit", unit: "district-b" }, dryRun: true }
    case "notices.read":
      return { ids: "all" }
    case "notices.setPreferences":
      return { muted: ["nudge"], quietHours: { from: "22:00", to: "07:30" } }
    case "notices.nudge":
      return { which: "unreported", message: "矩阵催办" }
    case "webhooks.add":
      return { kind: "webhook", url: "https://hooks.example.invalid/liandong", events: ["returned"] }
    default:
      return undefined
  }
}

/** The request of a route: a JSON body, or for an upload the file's bytes and name. */
const requestOf = (route: Route, target: Target, seeded: Seeded) =>
  route.operationId === "tasks.uploadAttachment"
    ? {
        raw: tinyPdf(`matrix ${target.name}`).toString("latin1"),
        headers: { "content-type": "application/octet-stream", "x-file-name": encodeURIComponent("矩阵.pdf") },
      }
    : { body: bodyOf(route, target, seeded) }

/** The headers of a server-sent event stream, then the stream is dropped. */
const openStream = async (base: string, path: string, token: string | undefined): Promise<Answer> => {
  const abort = new AbortController()
  const response = await fetch(`${base}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: abort.signal,
  })
  if (response.status === 200) {
    const reader = response.body?.getReader()
    const first = reader ? new TextDecoder().decode((await reader.read()).value) : ""
    abort.abort()
    return { status: 200, headers: response.headers, text: first, json: undefined }
  }
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) }
}

describeEachDatabase(
  "authorization matrix",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    let routes: Route[]

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
      const document = (await call(server.url, "GET", "/openapi.json")).json
      routes = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
        ([path, operations]) =>
          Object.entries(operations).map(([method, op]) => ({
            method: method.toUpperCase(),
            path,
            operationId: op.operationId,
          })),
      )
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("declares a policy for every route of the OpenAPI document, and no more", () => {
      expect(routes.length).toBeGreaterThan(25)
      expect(routes.map((r) => r.operationId).sort()).toEqual(Object.keys(policy).sort())
    })

    it.each(callers)("answers %s exactly as the policy says, leaking nothing", async (caller: Caller) => {
      const token = caller === "anonymous" ? undefined : seeded.tokens[caller]
      const forbidden = forbiddenMarkers(caller, markers)
      const mismatches: string[] = []
      const seen = new Set<string>()
      for (const route of routes) {
        const kind = policy[route.operationId]
        if (kind === undefined || kind === "people") continue
        for (const target of targetsOf(route, seeded)) {
          const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => target.values[name] ?? "")
          const before = await fingerprint(db.store())
          const deniedBefore = await denials(db.store())
          const answer =
            route.operationId === "live.events"
              ? await openStream(server.url, path, token)
              : await call(server.url, route.method, path, { token, ...requestOf(route, target, seeded) })
          const allowed = expected(kind, caller, target)
          const where = `${route.method} ${path} (${target.name})`
          if (!allowed.includes(answer.status)) {
            mismatches.push(`${where}: ${answer.status}, policy ${allowed.join("|")} — ${answer.text.slice(0, 160)}`)
          }
          for (const marker of forbidden) {
            if (answer.text.includes(marker)) mismatches.push(`${where}: leaks "${marker}"`)
          }
          for (const marker of Object.values(markers).flat()) if (answer.text.includes(marker)) seen.add(marker)
          if (answer.status >= 400 && !isProblem(answer)) mismatches.push(`${where}: ${answer.status} is not a problem`)
          const changes = answer.status >= 400 || route.method === "GET"
          if (changes && (await fingerprint(db.store())) !== before) mismatches.push(`${where}: changed the database`)
          // A refused deploy too: every deploy target exists, so the refusal is in its chain.
          if (answer.status === 403) {
            if ((await denials(db.store())) <= deniedBefore) mismatches.push(`${where}: 403 not journaled`)
          }
        }
      }
      expect(mismatches).toEqual([])
      // The markers do reach those who may read them, so their absence elsewhere means something.
      if (caller === "auditor") expect([...seen].sort()).toEqual(Object.values(markers).flat().sort())
    })
  },
  { resetEach: false },
)
