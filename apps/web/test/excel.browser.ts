/**
 * 下载 Excel 统计表 in a real browser against the real server: west reports and the coordinator
 * approves; the coordinator downloads the workbook from the dashboard and the auditor from the
 * audit screen. Each file, opened with read-excel-file, has the sheets by name, Chinese headers,
 * west's row with its figure stored as a number, and times as dates on the campaign's clock
 * (Asia/Shanghai), whatever the browser's zone.
 */
import { readFile } from "node:fs/promises"
import type { Browser, Page } from "playwright-core"
import readExcelFile from "read-excel-file/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser, signingIn } from "./browser.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"

const wait = { timeout: 30_000 }

/** A call through the API as the page's signed-in person (the session cookie and its CSRF token). */
const api = (page: Page, method: "GET" | "POST", path: string, body?: unknown) =>
  page.evaluate(
    async ({ method, path, body }) => {
      const session = (await (await fetch("/api/v1/session")).json()) as { csrfToken: string }
      const answer = await fetch(`/api/v1${path}`, {
        method,
        headers:
          method === "GET"
            ? {}
            : {
                "content-type": "application/json",
                "x-csrf-token": session.csrfToken,
                "idempotency-key": crypto.randomUUID(),
              },
        ...(method === "GET" ? {} : { body: JSON.stringify(body ?? {}) }),
      })
      if (!answer.ok) throw new Error(`${path}: ${answer.status} ${await answer.text()}`)
      return (await answer.json()) as Record<string, any>
    },
    { method, path, body },
  )

/** The wall-clock time an instant shows in Beijing, to the minute: `2026-04-14 10:00`. */
const beijing = (iso: string) =>
  new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai", dateStyle: "short", timeStyle: "short" }).format(
    new Date(iso),
  )

/** Clicks the workbook button and opens the file it downloads, sheet name → rows. */
const downloadWorkbook = async (page: Page) => {
  const button = page.getByRole("button", { name: "下载 Excel 统计表" })
  await button.waitFor(wait)
  const [download] = await Promise.all([page.waitForEvent("download", wait), button.click()])
  expect(download.suggestedFilename()).toBe("tour-2026.xlsx")
  const book = await readExcelFile(await readFile(await download.path()))
  return Object.fromEntries(book.map((sheet) => [sheet.sheet, sheet.data]))
}

describe.skipIf(!browserAvailable())("the campaign workbook from the dashboard and the audit screen", () => {
  let server: TourServer
  let browser: Browser
  let people: ReturnType<typeof signingIn>
  let submittedAt = ""
  let reviewedAt = ""

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
    people = signingIn(
      () => browser,
      () => server.url,
      tourPassword,
    )
  }, 240_000)
  afterAll(async () => {
    await people?.close()
    await browser?.close()
    await server?.close()
  })

  /** What each sheet must hold, from whoever downloads it. */
  const check = (sheets: Record<string, ReadonlyArray<ReadonlyArray<unknown>>>) => {
    expect(Object.keys(sheets)).toEqual(["进度", "分单位汇总", "分级汇总", "发放知识产权宣传资料", "报送活动总结"])
    const progress = sheets["进度"] ?? []
    expect(progress[0]?.slice(0, 4)).toEqual(["单位", "类别", "层级", "上级单位"])
    // Each task's column is headed by its phase and title.
    expect(progress[0]?.filter((cell) => String(cell).endsWith("·发放知识产权宣传资料"))).toHaveLength(1)
    const westProgress = progress.find((row) => row[0] === "西区知识产权局")
    expect(westProgress).toContain("已通过")

    const byUnit = sheets["分单位汇总"] ?? []
    expect(byUnit[0]).toEqual(["单位", "层级", "发放知识产权宣传资料·发放宣传资料（份）"])
    const westTotals = byUnit.find((row) => row[0] === "西区知识产权局")
    expect(westTotals).toEqual(["西区知识产权局", "县级", 640])
    expect(typeof westTotals?.[2]).toBe("number")

    const reports = sheets["发放知识产权宣传资料"] ?? []
    const header = reports[0] ?? []
    expect(header.slice(0, 8)).toEqual([
      "单位",
      "报送次数",
      "状态",
      "报送人",
      "报送时间（Asia/Shanghai）",
      "审核人",
      "审核时间（Asia/Shanghai）",
      "退回理由",
    ])
    const west = reports.find((row) => row[0] === "西区知识产权局") ?? []
    const column = (name: string) => west[header.indexOf(name)]
    expect(column("报送次数")).toBe(1)
    expect(column("状态")).toBe("已通过")
    expect(column("报送人")).toBe("西区联络员")
    expect(column("审核人")).toBe("王局长")
    expect(column("发放宣传资料（份）")).toBe(640)
    // Excel has no zones: the cell holds the campaign's wall clock (read back as that time in UTC).
    const sent = column("报送时间（Asia/Shanghai）")
    const reviewed = column("审核时间（Asia/Shanghai）")
    expect(sent).toBeInstanceOf(Date)
    expect(reviewed).toBeInstanceOf(Date)
    expect((sent as Date).toISOString().slice(0, 16).replace("T", " ")).toBe(beijing(submittedAt))
    expect((reviewed as Date).toISOString().slice(0, 16).replace("T", " ")).toBe(beijing(reviewedAt))
  }

  it("downloads it from the coordinator's dashboard", async () => {
    const west = await people.signIn("west")
    await api(west, "POST", "/campaigns/tour-2026/units/west-district/tasks/brochures/acknowledge")
    const sent = await api(west, "POST", "/campaigns/tour-2026/units/west-district/tasks/brochures/reports", {
      figures: { brochures: 640 },
      narrative: { narrative: "在社区服务中心设点发放" },
    })
    const lead = await people.signIn("lead")
    await api(lead, "POST", `/reports/${sent.report}/approve`)
    const listed = await api(lead, "GET", "/reports?campaign=tour-2026&unit=west-district")
    const report = listed.items.find((r: { id: string }) => r.id === sent.report)
    submittedAt = report.submittedAt
    reviewedAt = report.reviewedAt
    // Beijing and UTC show different times here, so a file written in UTC would fail the check.
    expect(beijing(submittedAt)).not.toBe(
      new Intl.DateTimeFormat("sv-SE", { timeZone: "UTC", dateStyle: "short", timeStyle: "short" }).format(
        new Date(submittedAt),
      ),
    )

    await lead.goto(`${server.url}/campaigns/tour-2026`)
    check(await downloadWorkbook(lead))
    expect(await axeViolations(lead, ["[data-testid=workbook]"])).toEqual([])
    expect(people.errors).toEqual([])
  }, 180_000)

  it("downloads it from the auditor's audit screen", async () => {
    const auditor = await people.signIn("audit")
    await auditor.goto(`${server.url}/audit/tour-2026`)
    check(await downloadWorkbook(auditor))
    expect(people.errors).toEqual([])
  }, 120_000)
})
