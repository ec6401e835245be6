/**
 * The review queue over HTTP: GET /reports filtered by phase, level, lateness and words in a
 * unit's name or the narrative, sorted by unit or deadline across pages; POST /reports/approve
 * approving several reports with one 审批意见, each answered on its own (approved, or refused
 * with the problem's reason), replayed whole for its key; the comment on the report and in
 * its journal row; a unit's bulk approval a journaled 403 that changes nothing.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { type Seeded, seed } from "./fixture.ts"
import { call, denials, fingerprint, isProblem, startTestServer } from "./harness.ts"

describeEachDatabase(
  "the review queue over HTTP",
  (db) => {
    let server: RunningServer
    let seeded: Seeded
    const token = (who: string) => seeded.tokens[who] as string
    const units = async (query: string) => {
      const answer = await call(server.url, "GET", `/api/v1/reports?campaign=matrix-main&${query}`, {
        token: token("lead"),
      })
      expect(answer.status, answer.text).toBe(200)
      return (answer.json.items as Array<{ unit: string }>).map((r) => r.unit)
    }

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile)
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    it("filters by state, phase, level, lateness and words, on the server", async () => {
      expect(await units("status=submitted")).toEqual(["district-b"])
      expect(await units("phase=publicity")).toEqual(["district-a", "district-b", "county-a1"])
      expect(await units("phase=no-such-phase")).toEqual([])
      expect(await units("level=county")).toEqual(["district-a", "district-b", "county-a1"])
      expect(await units("level=city")).toEqual([])
      // Reported on 13 April, due on the 24th.
      expect(await units("late=true")).toEqual([])
      expect(await units("late=false")).toEqual(["district-a", "district-b", "county-a1"])
      // A unit's name, or words of the narrative.
      expect(await units(`q=${encodeURIComponent("乙区")}`)).toEqual(["district-b"])
      expect(await units(`q=${encodeURIComponent("甲一县秘闻")}`)).toEqual(["county-a1"])
      expect(await units(`q=${encodeURIComponent("街道设点")}&status=returned`)).toEqual(["county-a1"])
      expect(await units(`q=${encodeURIComponent("100%")}`)).toEqual([])
    })

    it("sorts by unit and by deadline, page after page", async () => {
      for (const sort of ["unit", "deadline"]) {
        const seen: string[] = []
        let cursor: string | null = null
        do {
          const page = await call(
            server.url,
            "GET",
            `/api/v1/reports?campaign=matrix-main&sort=${sort}&limit=1${cursor === null ? "" : `&cursor=${cursor}`}`,
            { token: token("lead") },
          )
          expect(page.status, page.text).toBe(200)
          seen.push(...(page.json.items as Array<{ unit: string }>).map((r) => r.unit))
          cursor = page.json.nextCursor as string | null
        } while (cursor !== null)
        expect(seen, sort).toEqual(
          sort === "unit" ? ["county-a1", "district-a", "district-b"] : ["district-a", "district-b", "county-a1"],
        )
      }
    })

    it("approves several reports with one comment, each answered on its own, once per key", async () => {
      const reports = seeded.reports
      const body = {
        reports: [reports["district-b"], reports["district-a"], reports["other-district"], "999999"],
        comment: "同意，数据核实无误",
      }
      const post = () =>
        call(server.url, "POST", "/api/v1/reports/approve", {
          token: token("lead"),
          body,
          lang: "en",
          headers: { "idempotency-key": "bulk-1" },
        })
      const first = await post()
      expect(first.status, first.text).toBe(200)
      const results = first.json.results as Array<{
        report: string
        outcome: string
        problem: { status: number } | null
      }>
      expect(results.map((r) => [r.report, r.outcome, r.problem?.status ?? null])).toEqual([
        [reports["district-b"], "approved", null],
        [reports["district-a"], "refused", 409],
        [reports["other-district"], "refused", 404],
        ["999999", "refused", 404],
      ])
      const again = await post()
      expect(again.status).toBe(200)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      expect(again.json.results).toEqual(first.json.results)

      const read = await call(server.url, "GET", `/api/v1/reports/${reports["district-b"]}`, { token: token("lead") })
      expect(read.json).toMatchObject({
        status: "approved",
        reviewComment: "同意，数据核实无误",
        reviewedByName: "王局长",
      })
      // An approval without a comment records "同意".
      const earlier = await call(server.url, "GET", `/api/v1/reports/${reports["district-a"]}`, {
        token: token("lead"),
      })
      expect(earlier.json.reviewComment).toBe("同意")
      const { rows } = await sql<{ payload: { comment?: string }; content: { review?: { comment?: string } } }>`
        select payload, content from journal
        where event = 'task.approve' and payload->>'report' = ${reports["district-b"]}`.execute(db.store().db)
      expect(rows.map((r) => [r.payload.comment, r.content.review?.comment])).toEqual([
        ["同意，数据核实无误", "同意，数据核实无误"],
      ])
    })

    it("refuses a unit's bulk approval with a journaled 403 that changes nothing else", async () => {
      const before = await fingerprint(db.store())
      const deniedBefore = await denials(db.store())
      const answer = await call(server.url, "POST", "/api/v1/reports/approve", {
        token: token("unit-a"),
        body: { reports: [seeded.reports["county-a1"]] },
      })
      expect(answer.status, answer.text).toBe(403)
      expect(isProblem(answer)).toBe(true)
      expect(await denials(db.store())).toBeGreaterThan(deniedBefore)
      expect(await fingerprint(db.store())).toBe(before)
    })
  },
  { resetEach: false },
)
