#!/usr/bin/env node
/**
 * `pnpm serve:demo`: the README's tour campaign, mid-flight, on a fresh
 * embedded database, served with the web UI — and the sign-in names and
 * passwords of a coordinator, two unit contacts and an auditor printed, so a newcomer can walk the
 * whole flow in the browser. The tour's calendar is moved to today: the
 * publicity phase is open, west district has reported and waits for review,
 * east district has its task to acknowledge and report. The clock is real
 * and the worker runs in this process, so deadlines and reminders come due.
 */
import { randomBytes } from "node:crypto"
import { rm } from "node:fs/promises"
import { join, resolve } from "node:path"
import { tour } from "@liandong/campaigns"
import {
  acceptInvitation,
  acknowledge,
  addPrincipal,
  deploy,
  resetPassword,
  startCampaign,
  submitReport,
} from "@liandong/engine/commands"
import { engineLayer, loadActor, operator, provisionSigningKey } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import { Effect } from "effect"
import { configFromEnv } from "./Config.ts"
import { startServer } from "./Server.ts"

/** The day of the tour the demo starts on: publicity open since yesterday, deadline ten days ahead. */
const tourDay = Date.parse("2026-04-14T00:00:00+08:00")

/** Moves every date (`2026-04-13`, `2026-04-24T18:00`) in a definition by whole days. */
export const shiftDates = (value: unknown, days: number): unknown => {
  if (typeof value === "string") {
    const match = /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(value)
    if (match === null) return value
    const day = new Date(`${match[1]}T00:00:00Z`)
    day.setUTCDate(day.getUTCDate() + days)
    return `${day.toISOString().slice(0, 10)}${match[2] ?? ""}`
  }
  if (Array.isArray(value)) return value.map((v) => shiftDates(v, days))
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftDates(v, days)]))
  return value
}

/** Who the demo registers. */
export const demoPeople = [
  { id: "lead", name: "王局长", role: "coordinator", unit: "city-ipo", label: "牵头单位 coordinator" },
  { id: "east", name: "东区联络员", role: "unit", unit: "east-district", label: "参与单位 unit" },
  { id: "west", name: "西区联络员", role: "unit", unit: "west-district", label: "参与单位 unit" },
  { id: "audit", name: "审计员", role: "auditor", label: "审计人员 auditor" },
] as const

/** A fresh password for one run of the demo: long enough, mixed, never the same twice. */
const demoPassword = () => `Demo-${randomBytes(5).toString("hex")}-联动`

/** Seeds the tour mid-flight at `now`; returns a password per person (their sign-in name is their id). */
export const seedDemo = (now: Date) =>
  Effect.gen(function* () {
    const days = Math.floor((now.getTime() - tourDay) / 86_400_000)
    const deployed = yield* deploy(shiftDates(tour, days), operator)
    const passwords: Record<string, string> = {}
    for (const { label: _, ...person } of demoPeople) {
      yield* addPrincipal(person, operator)
      const link = yield* resetPassword(person.id, operator)
      const password = demoPassword()
      yield* acceptInvitation(link.token, password)
      passwords[person.id] = password
    }
    yield* startCampaign(deployed.campaign, yield* loadActor("lead"))
    yield* runUntilIdle(now)
    const west = yield* loadActor("west")
    const task = `${deployed.campaign}/west-district/brochures`
    yield* acknowledge(task, west)
    yield* submitReport(
      task,
      { figures: { brochures: "800" }, narrative: { narrative: "在西区文化广场设咨询台,发放宣传资料" } },
      west,
    )
    return { campaign: deployed.campaign, passwords }
  })

const main = async () => {
  const dataDir = resolve(process.env.LIANDONG_DATA ?? ".liandong/serve-demo")
  await rm(dataDir, { recursive: true, force: true })
  const store = { dataDir }
  // The demo's own key beside its database, made here: never the deployment's.
  const keyFile = join(dataDir, "keys", "checkpoint-ed25519.pem")
  provisionSigningKey(keyFile)
  const seeded = await Effect.runPromise(
    seedDemo(new Date()).pipe(Effect.provide(engineLayer({ logLevel: "warn", store, keyFile }))),
  )
  const server = await startServer(
    { ...configFromEnv(), worker: true },
    engineLayer({ logLevel: "warn", store, keyFile }),
  )
  const lines = [
    `联动 Liandong 演示 demo — ${tour.title}(进行中 mid-flight),嵌入式数据库 embedded database ${dataDir}`,
    "",
    `  网页 web UI:  ${server.url}/`,
    `  接口文档 API docs: ${server.url}/docs`,
    "",
    "  用下面的登录名和密码登录 / sign in with these names and passwords:",
    ...demoPeople.flatMap((p) => [
      `  ${p.label} · ${p.id}(${p.name})`,
      `      登录名 name: ${p.id}   密码 password: ${seeded.passwords[p.id]}`,
    ]),
    "",
    "  东区 east: 确认接收并报送 acknowledge and report · 牵头单位 lead: 审核 review · 审计 audit: 日志 trail",
    "  Ctrl+C 停止 / to stop",
  ]
  console.log(lines.join("\n"))
  const stop = () => void server.close().then(() => process.exit(0))
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

if (import.meta.main) await main()
