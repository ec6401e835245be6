/**
 * "Who is behind?" in a real browser against the real server: the dashboard counts the
 * units and tasks of a phase by state, each count filtering the matrix (kept in the
 * address, so a reload keeps it); the cells say the real state, overdue in days; the
 * laggards-only toggle; a unit's page from the matrix with its tasks, reports and trail,
 * people named, not by id; English titles in the English inbox; and axe finds no
 * moderate, serious or critical problem on the dashboard or the unit page, desktop or phone.
 */
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser, postAs } from "./browser.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"
import { desktop, phone, shoot } from "./shots.ts"

const wait = { timeout: 30_000 }

describe.skipIf(!browserAvailable())("who is behind: counts, filters and the unit page", () => {
  let server: TourServer
  let browser: Browser
  const contexts: BrowserContext[] = []
  const errors: string[] = []

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
  }, 240_000)
  afterAll(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await server?.close()
  })

  const signIn = async (name: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: desktop, locale: "zh-CN", timezoneId: "Asia/Shanghai" })
    contexts.push(context)
    const page = await context.newPage()
    page.on("pageerror", (error) => errors.push(error.message))
    await page.goto(server.url)
    await page.getByLabel("登录名").fill(name)
    await page.getByLabel("密码", { exact: true }).fill(tourPassword)
    await page.getByRole("button", { name: "登录" }).click()
    await page.getByTestId("who").waitFor(wait)
    return page
  }

  const post = postAs

  const axe = axeViolations

  /** axe on desktop and on a phone. */
  const axeBoth = async (page: Page, include: ReadonlyArray<string>) => {
    const found = await axe(page, include)
    await page.setViewportSize(phone)
    found.push(...(await axe(page, include)))
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
    await page.setViewportSize(desktop)
    return { found, fits }
  }

  const rows = (page: Page) =>
    page.locator("[data-testid=matrix] tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-unit")))
  const count = (page: Page, stage: string) => page.locator(`[data-testid=counts] button[data-stage="${stage}"]`)

  let lead: Page

  it("counts the units by state, and a count filters the matrix, in the address", async () => {
    // West acknowledges the publicity week; in the late drive it reports, and the coordinator approves.
    const west = await signIn("west")
    await post(west, "/campaigns/tour-2026/units/west-district/tasks/brochures/acknowledge")
    await post(west, "/campaigns/late-2026/units/west-district/tasks/brochures/acknowledge")
    const sent = await post(west, "/campaigns/late-2026/units/west-district/tasks/brochures/reports", {
      figures: { brochures: 800 },
      narrative: { narrative: "在区政务中心设点发放" },
    })
    lead = await signIn("lead")
    await post(lead, `/reports/${sent.report}/approve`)

    await lead.goto(`${server.url}/campaigns/tour-2026`)
    await count(lead, "assigned").waitFor(wait)
    await expect.poll(() => count(lead, "acknowledged").getAttribute("data-units"), wait).toBe("1")
    expect(await count(lead, "assigned").getAttribute("data-units")).toBe("1")
    expect(await count(lead, "submitted").getAttribute("data-units")).toBe("0")
    expect(await count(lead, "acknowledged").textContent()).toContain("已确认未报送")
    const cell = (unit: string) => lead.locator(`[data-unit="${unit}"] [data-phase="publicity"]`)
    expect(await cell("east-district").getAttribute("data-state")).toBe("assigned")
    expect(await cell("east-district").textContent()).toContain("未确认")
    expect(await cell("west-district").getAttribute("data-state")).toBe("acknowledged")
    expect(await cell("west-district").textContent()).toContain("已确认未报送")
    expect(await lead.locator("ul.legend").textContent()).toContain("待审核")
    await shoot(lead, "dashboard-counts")

    await count(lead, "acknowledged").click()
    await expect.poll(() => rows(lead), wait).toEqual(["west-district"])
    expect(new URL(lead.url()).searchParams.get("state")).toBe("acknowledged")
    expect(await count(lead, "acknowledged").getAttribute("aria-pressed")).toBe("true")
    await lead.reload()
    await lead.locator("[data-testid=matrix]").waitFor(wait)
    await expect.poll(() => rows(lead), wait).toEqual(["west-district"])
    await count(lead, "acknowledged").click()
    await expect.poll(() => rows(lead), wait).toEqual(["east-district", "west-district"])
    expect(new URL(lead.url()).search).toBe("")
    expect(errors).toEqual([])
  }, 240_000)

  it("says how many days overdue, and lists only the laggards when asked", async () => {
    await lead.goto(`${server.url}/campaigns/late-2026`)
    const cell = (unit: string) => lead.locator(`[data-unit="${unit}"] [data-phase="publicity"]`)
    await expect.poll(() => cell("east-district").getAttribute("data-state"), wait).toBe("overdue")
    expect(await cell("east-district").textContent()).toContain("逾期 1 天")
    expect(await cell("west-district").getAttribute("data-state")).toBe("done")
    expect(await count(lead, "overdue").getAttribute("data-units")).toBe("2")
    expect(await count(lead, "approved").getAttribute("data-units")).toBe("1")
    const marked = await lead
      .locator("[data-testid=matrix] tbody tr")
      .evaluateAll((trs) =>
        trs.filter((tr) => tr.querySelector("[data-testid=laggard-mark]")).map((tr) => tr.dataset.unit),
      )
    expect(marked).toEqual(["city-ipo", "east-district"])
    await lead.getByTestId("laggards").check()
    await expect.poll(() => rows(lead), wait).toEqual(["city-ipo", "east-district"])
    expect(new URL(lead.url()).searchParams.get("laggards")).toBe("1")
    expect(await lead.getByTestId("showing").textContent()).toContain("显示 2 / 3 个单位")
    await lead.reload()
    await expect.poll(() => rows(lead), wait).toEqual(["city-ipo", "east-district"])
    await lead.getByTestId("laggards").uncheck()
    await expect.poll(() => rows(lead), wait).toEqual(["city-ipo", "east-district", "west-district"])
    // The same in English: the counts, the cells and the campaign's English title.
    await lead.getByRole("button", { name: "Switch to English" }).click()
    await expect.poll(() => count(lead, "overdue").textContent(), wait).toContain("Overdue")
    expect(await count(lead, "submitted").textContent()).toContain("Awaiting review")
    expect(await cell("east-district").textContent()).toContain("Overdue 1 day")
    expect(await lead.locator("main h1").first().textContent()).toBe("2026 IP protection drive")
    await lead.getByRole("button", { name: "切换到中文" }).click()
    await expect.poll(() => count(lead, "overdue").textContent(), wait).toContain("逾期")
    const { found, fits } = await axeBoth(lead, ["main"])
    expect(found).toEqual([])
    expect(fits).toBe(true)
    expect(errors).toEqual([])
  }, 120_000)

  it("opens a unit's page from the matrix: its tasks, its reports and its trail, people by name", async () => {
    await lead.locator('[data-unit="west-district"] [data-testid="unit-link"]').click()
    await expect.poll(() => new URL(lead.url()).pathname, wait).toBe("/campaigns/late-2026/units/west-district")
    expect(await lead.getByTestId("unit-heading").textContent()).toBe("西区知识产权局")
    const task = lead.locator('[data-testid="unit-tasks"] tr[data-task="brochures"]')
    await expect.poll(() => task.getAttribute("data-status"), wait).toBe("approved")
    expect(await task.textContent()).toContain("已通过")
    const reports = lead.getByTestId("unit-reports")
    await expect.poll(() => reports.textContent(), wait).toContain("800份")
    expect(await reports.textContent()).toContain("西区联络员 于")
    expect(await reports.textContent()).toContain("王局长 于")
    const timeline = lead.getByTestId("timeline")
    await expect.poll(() => timeline.locator("li").count(), wait).toBeGreaterThan(2)
    const units = await timeline.locator("li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-unit")))
    expect(units.every((unit) => unit === "west-district")).toBe(true)
    const approved = timeline.locator('li[data-event="task.approve"]')
    expect(await approved.textContent()).toContain("王局长")
    expect(await approved.textContent()).not.toContain("lead（")
    await shoot(lead, "unit-page")
    const { found, fits } = await axeBoth(lead, ["main"])
    expect(found).toEqual([])
    expect(fits).toBe(true)

    // East's page from the publicity week's matrix: a unit not yet acknowledged.
    await lead.goto(`${server.url}/campaigns/tour-2026`)
    await lead.locator('[data-unit="east-district"] [data-testid="unit-link"]').click()
    const east = lead.locator('[data-testid="unit-tasks"] tr[data-task="brochures"]')
    await expect.poll(() => east.getAttribute("data-status"), wait).toBe("assigned")
    expect(errors).toEqual([])
  }, 120_000)

  it("keeps a unit to itself and its subordinates, and shows English titles in the English inbox", async () => {
    const west = await signIn("west")
    await west.goto(`${server.url}/campaigns/tour-2026/units/west-district`)
    await west.getByTestId("unit-tasks").waitFor(wait)
    await west.goto(`${server.url}/campaigns/tour-2026/units/east-district`)
    await expect.poll(() => west.locator("main h1").first().textContent(), wait).toBe("没有这个单位，或无权查看。")
    await west.goto(`${server.url}/inbox`)
    await west.getByRole("button", { name: "Switch to English" }).click()
    await expect.poll(() => west.locator("main h2").allTextContents(), wait).toContain("2026 IP publicity week")
    expect(errors).toEqual([])
  }, 120_000)
})
