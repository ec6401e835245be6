import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openStore } from "@liandong/store"
import { createTestDatabase, postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong } from "../cli.ts"
import { crowdCampaign } from "../crowd.ts"
import { startFleet } from "./fleet.ts"
import { expectAuditVerifies, expectMachinesConsistent, expectNothingTwice, expectQueueDrained } from "./invariants.ts"
import { chaosKills, chaosUnits, patienceMs } from "./settings.ts"

// Crash test: workers are killed with SIGKILL at random instants while a campaign runs,
// and restarted each time. Afterwards nothing is lost, nothing was applied twice, and the
// journal verifies.
const units = chaosUnits()
const kills = chaosKills()

const campaign = crowdCampaign("chaos-week", units, [
  { key: "preparation", day: 5 },
  { key: "publicity", day: 12 },
  { key: "enforcement", day: 19 },
])

describe.skipIf(!(await postgresAvailable()))("[postgres] workers killed at random instants", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let env: Record<string, string>
  beforeAll(async () => {
    database = await createTestDatabase()
    env = {
      DATABASE_URL: database.url,
      LIANDONG_KEY: join(await mkdtemp(join(tmpdir(), "liandong-chaos-")), "key.pem"),
    }
    const file = join(await mkdtemp(join(tmpdir(), "liandong-chaos-")), "chaos.json")
    await writeFile(file, JSON.stringify(campaign))
    for (const args of [
      ["db", "migrate"],
      ["deploy", file],
    ]) {
      const result = await liandong(args, env)
      expect(result.code, result.stderr).toBe(0)
    }
  })
  afterAll(async () => {
    await database?.drop()
  })

  it(
    "lose nothing and apply nothing twice",
    async () => {
      const fleet = startFleet(env, 2)
      // The campaign's dates are behind the real clock: once started, everything is due at once.
      const started = await liandong(["start", "chaos-week"], env)
      expect(started.code, started.stderr).toBe(0)
      let killed = 0
      const store = await openStore({ databaseUrl: database.url, poolSize: 2 })
      try {
        const closed = async () =>
          (
            await store.db
              .selectFrom("campaigns")
              .select("status")
              .where("id", "=", "chaos-week")
              .executeTakeFirstOrThrow()
          ).status === "closed"
        const deadline = Date.now() + patienceMs()
        while (!(await closed()) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 250))
          if (killed < kills && fleet.killOne()) killed++
        }
        expect(await closed(), fleet.logs()).toBe(true)
        expect(killed).toBeGreaterThan(0)

        // Nothing lost: no queue item left behind, none given up on; nothing twice.
        await expectQueueDrained(store.db, "chaos-week")
        await expectNothingTwice(store.db, "chaos-week")
        await expectMachinesConsistent(store.db, "chaos-week")
        // Every unit went through every phase: reminded twice, overdue, closed.
        const tasks = await store.db.selectFrom("tasks").select(["reminded", "overdue", "status"]).execute()
        expect(tasks).toHaveLength(units * 3)
        expect(tasks.every((t) => t.reminded === 2 && t.overdue && t.status === "closed")).toBe(true)
        // The survivors stop cleanly.
        expect(await fleet.stop()).toEqual([0, 0])
      } finally {
        await fleet.stop()
        await store.close()
      }
      // Every stored snapshot equals the replay of its journal, and the chain verifies.
      await expectAuditVerifies(env, "chaos-week")
    },
    patienceMs() + 300_000,
  )
})
