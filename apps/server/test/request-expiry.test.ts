/**
 * HTTP requests' idempotency records expire: the server sweeps records older
 * than the retention in bounded batches, by itself, while younger ones and the
 * engine's own command records stay — so a retry after the retention still
 * never applies a command twice.
 */

import { expireRequests } from "@liandong/engine/commands"
import { storeLayer } from "@liandong/engine/runtime"
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, startTestServer } from "./harness.ts"

const week = 7 * 86_400

describeEachDatabase(
  "request record expiry",
  (db) => {
    let server: RunningServer | undefined
    let seeded: Seeded
    const token = (who: string) => seeded.tokens[who] as string
    const post = (path: string, who: string, key: string) =>
      call(server?.url as string, "POST", path, { token: token(who), headers: { "idempotency-key": key } })
    const checkpoint = (key: string) => post("/api/v1/campaigns/matrix-main/checkpoints", "lead", key)
    const acknowledge = (key: string) =>
      post("/api/v1/campaigns/matrix-main/units/district-b/tasks/events/acknowledge", "unit-b", key)
    /** The stored keys, as `principal/key`, sorted. */
    const keys = async () =>
      (
        await sql<{ key: string }>`
          select principal_id || '/' || idempotency_key as key from command_results`.execute(db.store().db)
      ).rows
        .map((row) => row.key)
        .sort()
    /** Moves records' creation back by `days`. */
    const age = async (days: number, like: string) => {
      await sql`
        update command_results set created_at = now() - make_interval(days => ${days})
        where idempotency_key like ${like}`.execute(db.store().db)
    }

    beforeAll(async () => {
      seeded = await seed(db.store())
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("deletes only request records past the retention, a bounded batch at a time", async () => {
      server = await startTestServer(db.store(), seeded.keyFile)
      for (const key of ["cp-1", "cp-2", "cp-3", "cp-4", "cp-5"]) expect((await checkpoint(key)).status).toBe(200)
      expect((await acknowledge("ack-b")).status).toBe(200)
      await server.close()
      server = undefined
      await age(8, "request:cp-%")
      await age(8, "%ack-b")
      await age(6, "request:cp-5")
      const expire = (batch: number) =>
        Effect.runPromise(expireRequests(week, batch).pipe(Effect.provide(storeLayer(db.store()))))
      expect([await expire(2), await expire(2), await expire(2)]).toEqual([2, 2, 1])
      // Left: the request six days old, and the engine's record of the acknowledgement however old.
      expect(await keys()).toEqual(["lead/request:cp-5", "unit-b/ack-b"])
      expect(await expire(2)).toBe(0)
    })

    it("sweeps by itself, and a retry after the retention is still answered from the command's record", async () => {
      const journal = async () =>
        Number((await sql<{ n: string }>`select count(*) as n from journal`.execute(db.store().db)).rows[0]?.n)
      const rows = await journal()
      await age(10, "request:%")
      server = await startTestServer(db.store(), seeded.keyFile, {
        requestExpiry: { retentionSeconds: week, everyMs: 100, batch: 1 },
      })
      const deadline = Date.now() + 15_000
      while ((await keys()).some((key) => key.includes("request:"))) {
        if (Date.now() > deadline) throw new Error(`request records still there: ${await keys()}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      // The engine's record of the acknowledgement stays: the retry changes nothing.
      expect(await keys()).toEqual(["unit-b/ack-b"])
      const retried = await acknowledge("ack-b")
      expect(retried.status).toBe(200)
      expect(retried.json).toMatchObject({ task: "matrix-main/district-b/events", replayed: true })
      expect(await journal()).toBe(rows)
      expect(await keys()).toEqual(["unit-b/ack-b", "unit-b/request:ack-b"])
    })
  },
  { resetEach: false },
)
