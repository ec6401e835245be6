import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openStore } from "@liandong/store"
import { createTestDatabase, postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"
import { crowdCampaign } from "./crowd.ts"

// Two worker processes share one PostgreSQL queue: nothing may be applied twice.
const units = 120
const campaign = crowdCampaign("crowd-week", units, [{ key: "publicity", day: 20 }])

describe.skipIf(!(await postgresAvailable()))("[postgres] two worker processes", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let env: Record<string, string>
  beforeAll(async () => {
    database = await createTestDatabase()
    env = { DATABASE_URL: database.url }
    const dir = await mkdtemp(join(tmpdir(), "liandong-"))
    const file = join(dir, "crowd.json")
    await writeFile(file, JSON.stringify(campaign))
    for (const args of [
      ["db", "migrate"],
      ["deploy", file],
      ["start", "crowd-week", "--now", "2026-04-19T09:00+08:00"],
    ]) {
      const result = await liandong(args, env)
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
    }
  })
  afterAll(async () => {
    await database?.drop()
  })

  it("apply every timer and message exactly once", async () => {
    for (const now of ["2026-04-20T09:00+08:00", "2026-04-24T18:00+08:00", "2026-04-27T00:00+08:00"]) {
      const runs = await Promise.all(
        [0, 1].map(() => liandong(["worker", "--until-idle", "--json", "--now", now], env)),
      )
      for (const run of runs) expect(run.code, run.stderr).toBe(0)
      const applied = runs.map((r) => JSON.parse(r.stdout) as { applied: number; failed: number })
      expect(applied.every((a) => a.failed === 0)).toBe(true)
    }
    const store = await openStore({ databaseUrl: database.url })
    try {
      const duplicates = await store.db
        .selectFrom("journal")
        .select(["cause", (eb) => eb.fn.countAll<string>().as("n")])
        .where("cause", "<>", "command")
        .groupBy("cause")
        .having((eb) => eb.fn.countAll(), ">", 1)
        .execute()
      expect(duplicates).toEqual([])
      const pending = await store.db.selectFrom("timers").select("id").where("status", "=", "pending").execute()
      expect(pending).toEqual([])
      const done = await store.db
        .selectFrom("messages")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("status", "=", "done")
        .where("kind", "=", "event")
        .executeTakeFirstOrThrow()
      const messageRows = await store.db
        .selectFrom("journal")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("cause", "like", "message:%")
        .executeTakeFirstOrThrow()
      expect(Number(messageRows.n)).toBe(Number(done.n))
      expect(Number(done.n)).toBe(2 * units) // phase.open and phase.close to every unit
      // every unit reminded twice and marked overdue once
      const tasks = await store.db.selectFrom("tasks").select(["reminded", "overdue", "status"]).execute()
      expect(tasks).toHaveLength(units)
      expect(tasks.every((t) => t.reminded === 2 && t.overdue && t.status === "closed")).toBe(true)
      const closed = await store.db.selectFrom("campaigns").select("status").executeTakeFirstOrThrow()
      expect(closed.status).toBe("closed")
      // Two processes appended to one chain at once: no gap, no fork, every replay exact.
      const verified = await liandong(["audit", "verify", "crowd-week", "--json"], env)
      expect(verified.code, verified.stdout).toBe(0)
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, findings: [] })
    } finally {
      await store.close()
    }
  })
})
