/**
 * Evidence (佐证材料) over HTTP: a unit uploads files for its task and names them in its
 * report; the coordinator lists and downloads them with their own type, a Content-Disposition
 * and nosniff; another unit cannot. Too big is a 413 before anything is stored, whether the
 * size was announced or only found while reading; an upload cut off part-way leaves nothing;
 * content unlike the name is a 400 naming X-File-Name.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { sql } from "kysely"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { pngOf, type Seeded, seed, tinyPdf } from "./fixture.ts"
import { call, startTestServer } from "./harness.ts"

const limit = 8 * 1024
const uploads = "/api/v1/campaigns/matrix-main/units/district-a/tasks/events/attachments"

describeEachDatabase(
  "evidence over HTTP",
  (db) => {
    let server: RunningServer
    let seeded: Seeded

    beforeAll(async () => {
      seeded = await seed(db.store())
      server = await startTestServer(db.store(), seeded.keyFile, { attachmentLimit: limit })
    }, 120_000)
    afterAll(async () => {
      await server?.close()
    })

    const stored = async () => {
      const { rows } = await sql<{ n: string; c: string }>`
        select (select count(*) from attachments) as n, (select count(*) from attachment_contents) as c`.execute(
        db.store().db,
      )
      return rows[0]
    }

    const upload = (
      name: string,
      body: RequestInit["body"],
      token = seeded.tokens["unit-a"],
      extra: RequestInit = {},
    ) =>
      fetch(`${server.url}${uploads}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/octet-stream",
          "x-file-name": encodeURIComponent(name),
          "accept-language": "zh-CN",
        },
        body,
        ...extra,
      })

    it("uploads files, names them in a report, and serves them to the coordinator only as files", async () => {
      const pdf = await upload("签到表.pdf", tinyPdf("sign-in"))
      expect(pdf.status).toBe(200)
      const pdfFile = (await pdf.json()) as any
      expect(pdfFile).toMatchObject({ name: "签到表.pdf", type: "application/pdf" })
      const photo = (await (await upload("现场 (1).png", pngOf(8, 6, [20, 160, 40]))).json()) as any
      expect(photo.type).toBe("image/png")

      const submitted = await call(server.url, "POST", uploads.replace(/attachments$/, "reports"), {
        token: seeded.tokens["unit-a"],
        body: { figures: { attendees: 12 }, narrative: { narrative: "附件测试" }, attachments: [pdfFile.id, photo.id] },
      })
      expect(submitted.status, submitted.text).toBe(200)
      const report = submitted.json.report as string

      const detail = await call(server.url, "GET", `/api/v1/reports/${report}`, { token: seeded.tokens.lead })
      expect(detail.json.attachments.map((a: any) => [a.name, a.type, a.size])).toEqual([
        ["签到表.pdf", "application/pdf", tinyPdf("sign-in").length],
        ["现场 (1).png", "image/png", pngOf(8, 6, [20, 160, 40]).length],
      ])

      const image = await fetch(`${server.url}/api/v1/reports/${report}/attachments/${photo.id}`, {
        headers: { authorization: `Bearer ${seeded.tokens.lead}` },
      })
      expect(image.status).toBe(200)
      expect(image.headers.get("content-type")).toBe("image/png")
      expect(image.headers.get("x-content-type-options")).toBe("nosniff")
      expect(image.headers.get("content-disposition")).toBe(
        `inline; filename="__ (1).png"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%281%29.png`,
      )
      expect(Buffer.from(await image.arrayBuffer()).equals(pngOf(8, 6, [20, 160, 40]))).toBe(true)
      const document = await fetch(`${server.url}/api/v1/reports/${report}/attachments/${pdfFile.id}`, {
        headers: { authorization: `Bearer ${seeded.tokens.auditor}` },
      })
      expect(document.headers.get("content-type")).toBe("application/pdf")
      expect(document.headers.get("content-disposition")).toMatch(/^attachment; /)

      // Another district reads neither the report nor its files; a file of another report is not this one's.
      const other = await call(server.url, "GET", `/api/v1/reports/${report}/attachments/${photo.id}`, {
        token: seeded.tokens["unit-b"],
      })
      expect(other.status).toBe(404)
      const mixed = await call(
        server.url,
        "GET",
        `/api/v1/reports/${seeded.reports["district-b"]}/attachments/${photo.id}`,
        { token: seeded.tokens.lead },
      )
      expect(mixed.status).toBe(404)
    })

    it("refuses a file over the limit with a 413, announced or found while reading, storing nothing", async () => {
      const before = await stored()
      const big = Buffer.concat([tinyPdf("big"), Buffer.alloc(limit)])
      const announced = await upload("大文件.pdf", big)
      expect(announced.status).toBe(413)
      const problem = (await announced.json()) as any
      expect(problem).toMatchObject({ status: 413, limit })
      expect(problem.detail).toContain(String(limit))

      // No Content-Length: the body is counted as it arrives, and refused once it passes the limit.
      const chunks = [tinyPdf("big"), Buffer.alloc(limit / 2), Buffer.alloc(limit / 2)]
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift()
          if (next === undefined) controller.close()
          else controller.enqueue(new Uint8Array(next))
        },
      })
      const streamed = await upload("大文件.pdf", stream, seeded.tokens["unit-a"], { duplex: "half" } as RequestInit)
      expect(streamed.status).toBe(413)
      expect(((await streamed.json()) as any).limit).toBe(limit)
      expect(await stored()).toEqual(before)
    })

    it("leaves nothing behind when an upload is cut off part-way", async () => {
      const before = await stored()
      const abort = new AbortController()
      let sent = 0
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          sent += 1
          if (sent === 1) controller.enqueue(new Uint8Array(tinyPdf("cut")))
          else if (sent === 2) controller.enqueue(new Uint8Array(1024))
          else {
            // The client goes away with the body half sent.
            await new Promise((resolve) => setTimeout(resolve, 200))
            abort.abort()
          }
        },
      })
      await expect(
        upload("中断.pdf", stream, seeded.tokens["unit-a"], { duplex: "half", signal: abort.signal } as RequestInit),
      ).rejects.toThrow()
      // Give the server time to notice; still nothing stored.
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(await stored()).toEqual(before)
    })

    it("refuses content unlike its name with a 400 naming X-File-Name, in English too", async () => {
      const before = await stored()
      const answer = await fetch(`${server.url}${uploads}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${seeded.tokens["unit-a"]}`,
          "content-type": "application/octet-stream",
          "x-file-name": "scan.pdf",
          "accept-language": "en",
        },
        body: pngOf(2, 2, [0, 0, 0]),
      })
      expect(answer.status).toBe(400)
      const problem = (await answer.json()) as any
      expect(problem.errors).toEqual([
        expect.objectContaining({ in: "header", path: "x-file-name", detail: expect.stringContaining("png") }),
      ])
      expect(problem.detail).not.toMatch(/[\u4e00-\u9fff]/u)
      const exe = await upload("run.exe", Buffer.from("MZ\u0090\u0000"))
      expect(exe.status).toBe(400)
      expect(((await exe.json()) as any).detail).toContain("不接受")
      expect(await stored()).toEqual(before)
    })
  },
  { resetEach: false },
)
