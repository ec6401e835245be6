import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createToken, startCampaign } from "@liandong/engine/commands"
import { operator, provisionSigningKey } from "@liandong/engine/runtime"
import { migrateToLatest } from "@liandong/store"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crowdCampaign, crowdTask } from "../crowd.ts"
import { apiServerPresent, startApiServer } from "./api-server.ts"
import { type Engine, openEngine } from "./engine.ts"
import { eventually, startFleet } from "./fleet.ts"
import {
  expectAcceptedOnce,
  expectAuditVerifies,
  expectEveryItemOnce,
  expectMachinesConsistent,
  expectMachinesInTimeOrder,
} from "./invariants.ts"
import { ownPostgresPossible, startOwnPostgres } from "./postgres-instance.ts"
import { dealStories, runReporters } from "./reporters.ts"
import { chaosUnits, dbRestarts, patienceMs, tell } from "./settings.ts"
import { campaignFigures, campaignStatus, deployCrowd, queueIdle, queueLeft } from "./setup.ts"
import type { Answer, Plan, Step } from "./steps.ts"

// The database restarted mid-load: the test runs a PostgreSQL server of its own and stops it
// hard (pg_ctl stop -m immediate: no checkpoint, like a crash or a power cut), then starts it
// again, while reporter processes send commands, two worker processes and the API server
// (with its own worker) run. Every write that was answered as done is in the journal after
// the restart; the workers and the API carry on by themselves, and the campaign finishes.
const units = chaosUnits()
const restarts = dbRestarts()
const task = crowdTask("publicity")
// These units act through the HTTP API; the others through reporter processes.
const apiUnits = [0, 1, 2]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One HTTP call: status and JSON body (status 0 when the server could not be reached). */
const call = async (url: string, method: string, path: string, token?: string, key?: string, body?: unknown) => {
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(key ? { "idempotency-key": key } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        "accept-language": "en",
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return { status: response.status, json: text ? (JSON.parse(text) as any) : null }
  } catch {
    return { status: 0, json: null }
  }
}

describe.skipIf(!((await ownPostgresPossible()) && (await apiServerPresent())))(
  "[postgres] the database restarted under load",
  () => {
    let pg: Awaited<ReturnType<typeof startOwnPostgres>>
    let engine: Engine
    let env: Record<string, string>
    const tokens = new Map<string, string>()
    beforeAll(async () => {
      pg = await startOwnPostgres()
      const keyFile = provisionSigningKey(join(await mkdtemp(join(tmpdir(), "liandong-restart-")), "key.pem")).path
      env = { DATABASE_URL: pg.url, LIANDONG_KEY: keyFile }
      engine = await openEngine({ databaseUrl: pg.url, keyFile })
      await migrateToLatest(engine.store.db)
      const now = Date.now()
      await deployCrowd(
        engine,
        crowdCampaign("restart-week", units, [
          {
            key: "publicity",
            gate: "all",
            opensAt: new Date(now - 3_600_000).toISOString(),
            deadline: new Date(now + 86_400_000).toISOString(),
            closesAt: new Date(now + 2 * 86_400_000).toISOString(),
          },
        ]),
      )
      for (const principal of ["lead", ...apiUnits.map((i) => `clerk-${i}`)])
        tokens.set(principal, (await engine.run(createToken(principal, {}, operator))).token)
    })
    afterAll(async () => {
      await engine?.close()
      await pg?.destroy()
    })

    it(
      "loses no acknowledged write; the workers and the API recover by themselves",
      async () => {
        const fleet = startFleet(env, 2)
        const server = await startApiServer(env)
        const { db } = engine.store
        try {
          await engine.run(startCampaign("restart-week", await engine.actor("lead")))
          expect(
            await eventually(async () => {
              const open = await db.selectFrom("tasks").select("unit_key").where("status", "=", "assigned").execute()
              return open.length === units
            }, patienceMs()),
            fleet.logs(),
          ).toBe(true)

          // The API answers; its units acknowledge.
          const apiAnswers: Answer[] = []
          const viaApi = async (step: Step, path: string, body?: unknown) => {
            const answer = await call(server.url, "POST", path, tokens.get(step.principal), step.key, body)
            if (answer.status === 200)
              apiAnswers.push({ ok: true, value: answer.json, id: step.id, copy: 0, step, answeredAt: Date.now() })
            return answer.status
          }
          const apiStep = (i: number, command: Step["command"]): Step => ({
            id: `api-${command}-${i}`,
            command,
            principal: command === "approve" ? "lead" : `clerk-${i}`,
            ref: `restart-week/unit-${i}/${task}`,
            key: `api-${command}-${i}`,
          })
          const taskPath = (i: number) => `/api/v1/campaigns/restart-week/units/unit-${i}/tasks/${task}`
          for (const i of apiUnits.slice(0, 2))
            expect(await viaApi(apiStep(i, "ack"), `${taskPath(i)}/acknowledge`)).toBe(200)

          // The reporters keep every other unit busy, each command retried (same key) until it is answered.
          const until = Date.now() + patienceMs()
          const stories = Array.from({ length: units }, (_, i): Step[] => {
            if (apiUnits.includes(i)) return []
            const ref = `restart-week/unit-${i}/${task}`
            const body = { figures: { brochures: String(i) }, narrative: { narrative: "已完成" } }
            const step = { ref, retryUntil: until }
            return [
              { ...step, id: `ack-${i}`, command: "ack", principal: `clerk-${i}`, key: `ack-${i}` },
              { ...step, id: `report-${i}`, command: "report", principal: `clerk-${i}`, body, key: `report-${i}` },
              { ...step, id: `approve-${i}`, command: "approve", principal: "lead", key: `approve-${i}` },
            ]
          }).filter((story) => story.length > 0)
          const plan = (part: Step[][]): Plan => ({
            engine: { databaseUrl: pg.url, keyFile: env.LIANDONG_KEY as string },
            concurrency: 8,
            stories: part,
          })
          const reporting = runReporters(dealStories(stories, 2).map(plan))

          const journalLength = async () =>
            Number(
              (
                await db
                  .selectFrom("journal")
                  .select((eb) => eb.fn.countAll<string>().as("n"))
                  .executeTakeFirstOrThrow()
              ).n,
            )
          let outageStatuses: number[] = []
          for (let r = 0; r < restarts; r++) {
            // Mid-load: after some progress since the last restart.
            const before = await journalLength()
            await eventually(async () => (await journalLength()) >= before + Math.max(5, units / 4), 60_000, 50)
            await pg.stop("immediate")
            // While it is away the API says so; nothing written.
            if (r === 0)
              outageStatuses = [
                (await call(server.url, "GET", "/readyz")).status,
                (await call(server.url, "GET", "/api/v1/me", tokens.get("lead"))).status,
                await viaApi(apiStep(2, "ack"), `${taskPath(2)}/acknowledge`),
              ]
            await sleep(1_000)
            await pg.start()
          }
          expect(outageStatuses).toEqual([503, 503, 503])
          // The same server answers again, without a restart of its own.
          expect(await eventually(async () => (await call(server.url, "GET", "/readyz")).status === 200, 60_000)).toBe(
            true,
          )
          expect(await viaApi(apiStep(2, "ack"), `${taskPath(2)}/acknowledge`)).toBe(200)
          for (const i of apiUnits) {
            const body = { figures: { brochures: String(i) }, narrative: { narrative: "已完成" } }
            expect(await viaApi(apiStep(i, "report"), `${taskPath(i)}/reports`, body)).toBe(200)
            const report = apiAnswers.find((a) => a.id === `api-report-${i}`)
            const approved = await viaApi(
              apiStep(i, "approve"),
              `/api/v1/reports/${report?.ok ? report.value.report : ""}/approve`,
            )
            expect(approved).toBe(200)
          }

          const answers = await reporting
          expect(
            await eventually(async () => (await campaignStatus(db, "restart-week")) === "closed", patienceMs()),
            fleet.logs() + server.logs(),
          ).toBe(true)
          expect(
            await eventually(() => queueIdle(db, "restart-week"), patienceMs()),
            await queueLeft(db, "restart-week"),
          ).toBe(true)
          // Nobody was restarted: the same two workers and the same server are still running.
          expect(fleet.alive()).toHaveLength(2)
          expect(server.process.exitCode).toBeNull()
          expect(await fleet.stop()).toEqual([0, 0])
          // (The server ends on SIGTERM with the interrupted code its runtime gives, 130.)
          expect([0, 130]).toContain(await server.stop())

          // Every write answered as done is there, once; some were answered only on a retry.
          const all = [...answers, ...apiAnswers]
          expect(new Set(all.filter((a) => a.ok).map((a) => a.id)).size).toBe(3 * units)
          await expectAcceptedOnce(db, "restart-week", all)
          await expectEveryItemOnce(db, "restart-week")
          await expectMachinesConsistent(db, "restart-week")
          await expectMachinesInTimeOrder(db, "restart-week")
          expect(answers.some((a) => !a.ok && a.tag === "StoreError")).toBe(true)
          await expectAuditVerifies(env, "restart-week")
          tell("restart", {
            units,
            restarts,
            commandsAccepted: all.filter((a) => a.ok).length,
            answeredOnlyOnARetry: all.filter((a) => a.ok && a.value.replayed).length,
            failedWhileDown: answers.filter((a) => !a.ok && a.tag === "StoreError").length,
            ...(await campaignFigures(db, "restart-week")),
          })
        } finally {
          await fleet.stop()
          await server.stop()
        }
      },
      patienceMs() + 300_000,
    )
  },
)
