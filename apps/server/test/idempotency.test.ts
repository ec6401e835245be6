/**
 * Idempotency-Key on POST, over HTTP: a retry replays the first answer and
 * changes nothing; the same key with another request is 422; concurrent
 * duplicates run once; a request still in flight is 409 (an abandoned claim
 * is taken over); a failed request leaves its key free; keys are per principal.
 */

import { describeEachDatabase } from "@liandong/store/testing"
import { canonicalJson, sha256Hex } from "@liandong/workflow"
import { sql } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, fingerprint, isProblem, startTestServer } from "./harness.ts"

const journalLength = async (db: { store: () => { db: any } }) =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from journal where event <> 'access.denied'`.execute(db.store().db))
      .rows[0]?.n,
  )

describeEachDatabase(
  "idempotency keys",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    const post = (path: string, token: string, key: string | undefined, body?: unknown) =>
      call(server.url, "POST", path, {
        token,
        body,
        headers: key === undefined ? {} : { "idempotency-key": key },
      })

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("replays the first answer to a retry and changes nothing", async () => {
      const path = "/api/v1/campaigns/matrix-main/units/district-b/tasks/events/acknowledge"
      const first = await post(path, seeded.tokens["unit-b"] as string, "ack-b-events")
      expect(first.status).toBe(200)
      expect(first.json).toMatchObject({
        task: "matrix-main/district-b/events",
        status: "acknowledged",
        replayed: false,
      })
      const before = await fingerprint(db.store())
      const again = await post(path, seeded.tokens["unit-b"] as string, "ack-b-events")
      expect(again.status).toBe(200)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      expect(again.json).toEqual({ ...first.json, replayed: true })
      expect(await fingerprint(db.store())).toBe(before)
      // Without the key the same request is a new one, which the task's state now refuses.
      const unkeyed = await post(path, seeded.tokens["unit-b"] as string, undefined)
      expect(unkeyed.status).toBe(409)
      expect(isProblem(unkeyed)).toBe(true)
    })

    it("refuses the same key with another request (422) and changes nothing", async () => {
      const path = "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/reports"
      const token = seeded.tokens["unit-a"] as string
      const first = await post(path, token, "report-a-events", {
        figures: { attendees: 40 },
        narrative: { narrative: "开展活动" },
      })
      expect(first.status).toBe(200)
      const before = await fingerprint(db.store())
      const other = await post(path, token, "report-a-events", {
        figures: { attendees: 41 },
        narrative: { narrative: "开展活动" },
      })
      expect(other.status).toBe(422)
      expect(isProblem(other)).toBe(true)
      expect(other.json.type).toBe("urn:liandong:problem:idempotency-key-reused")
      // Another path with the same key is another request too.
      const elsewhere = await post(
        "/api/v1/campaigns/matrix-main/units/county-a1/tasks/events/acknowledge",
        token,
        "report-a-events",
      )
      expect(elsewhere.status).toBe(422)
      expect(await fingerprint(db.store())).toBe(before)
    })

    it("runs concurrent duplicates once: the others replay or are told it is in flight", async () => {
      const report = seeded.reports["district-b"] as string
      const before = await journalLength(db)
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          post(`/api/v1/reports/${report}/approve`, seeded.tokens.lead as string, "approve-b-once"),
        ),
      )
      const statuses = answers.map((a) => a.status).sort()
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true)
      const succeeded = answers.filter((a) => a.status === 200)
      expect(succeeded.length).toBeGreaterThan(0)
      for (const answer of succeeded) expect(answer.json.journal).toBe(succeeded[0]?.json.journal)
      for (const answer of answers.filter((a) => a.status === 409)) {
        expect(answer.json.type).toBe("urn:liandong:problem:idempotency-in-flight")
      }
      expect(await journalLength(db)).toBe(before + 1)
      const after = await post(`/api/v1/reports/${report}/approve`, seeded.tokens.lead as string, "approve-b-once")
      expect(after.status).toBe(200)
      expect(after.json.journal).toBe(succeeded[0]?.json.journal)
    })

    it("answers 409 while a claim is in flight, and takes over one abandoned by a crashed process", async () => {
      const path = "/api/v1/campaigns/matrix-main/units/county-a1/tasks/events/acknowledge"
      const hash = sha256Hex(canonicalJson({ method: "POST", path, payload: null }))
      await sql`insert into command_results (principal_id, idempotency_key, request_hash, result)
        values ('county', 'request:ack-county-events', ${hash}, 'null'::jsonb)`.execute(db.store().db)
      const busy = await post(path, seeded.tokens.county as string, "ack-county-events")
      expect(busy.status).toBe(409)
      expect(busy.json.type).toBe("urn:liandong:problem:idempotency-in-flight")
      await sql`update command_results set created_at = now() - interval '10 minutes'
        where principal_id = 'county' and idempotency_key = 'request:ack-county-events'`.execute(db.store().db)
      const taken = await post(path, seeded.tokens.county as string, "ack-county-events")
      expect(taken.status).toBe(200)
      expect(taken.json.status).toBe("acknowledged")
    })

    it("leaves the key free after a failure, so the corrected retry runs", async () => {
      const token = seeded.tokens.county as string
      const path = "/api/v1/campaigns/matrix-main/units/county-a1/tasks/brochures/reports"
      const bad = await post(path, token, "county-resubmit", {
        figures: { brochures: "很多", hours: 3 },
        narrative: { narrative: "补充照片" },
      })
      expect(bad.status).toBe(400)
      expect(bad.json.errors).toEqual([expect.objectContaining({ in: "body", path: "figures.brochures" })])
      const good = await post(path, token, "county-resubmit", {
        figures: { brochures: 800, hours: 3 },
        narrative: { narrative: "补充照片" },
      })
      expect(good.status).toBe(200)
      expect(good.json).toMatchObject({ status: "submitted", attempt: 2, replayed: false })
    })

    it("keeps keys per principal", async () => {
      const a = await post(
        "/api/v1/campaigns/matrix-main/units/district-a/tasks/wrap-up/acknowledge",
        seeded.tokens["unit-a"] as string,
        "same-key",
      )
      const b = await post(
        "/api/v1/campaigns/matrix-main/units/district-b/tasks/brochures/reports",
        seeded.tokens["unit-b"] as string,
        "same-key",
        { figures: { brochures: 1, hours: 1 }, narrative: { narrative: "重复报送" } },
      )
      // unit-a's task is not open yet (409), unit-b's report was submitted (409): each ran as its own request.
      expect([a.status, b.status]).toEqual([409, 409])
      expect(a.json.type).toBe("urn:liandong:problem:state-conflict")
      expect(b.json.type).toBe("urn:liandong:problem:state-conflict")
    })

    it("names a malformed key as a bad header", async () => {
      const answer = await post(
        "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/acknowledge",
        seeded.tokens["unit-a"] as string,
        "x".repeat(201),
      )
      expect(answer.status).toBe(400)
      expect(answer.json.errors).toEqual([expect.objectContaining({ in: "header", path: "idempotency-key" })])
    })

    it("is in flight for a second process while the first holds the unit's machine (PostgreSQL)", async () => {
      const url = db.databaseUrl()
      if (url === undefined) return
      const blocker = new pg.Client({ connectionString: url })
      await blocker.connect()
      try {
        await blocker.query("begin")
        await blocker.query(
          "select id from machines where campaign_id = 'matrix-main' and unit_key = 'district-a' for update",
        )
        const path = "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/acknowledge"
        const token = seeded.tokens["unit-a"] as string
        const first = post(path, token, "held")
        await new Promise((resolve) => setTimeout(resolve, 300))
        const second = await post(path, token, "held")
        expect(second.status).toBe(409)
        expect(second.json.type).toBe("urn:liandong:problem:idempotency-in-flight")
        await blocker.query("rollback")
        const done = await first
        // Acknowledged already in the seed: the state refuses it, and the key is free again.
        expect(done.status).toBe(409)
        expect(done.json.type).toBe("urn:liandong:problem:state-conflict")
      } finally {
        await blocker.end()
      }
    })
  },
  { resetEach: false },
)
