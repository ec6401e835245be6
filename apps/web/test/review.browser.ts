/**
 * The coordinator's review queue in a real browser against the real server: the queue is
 * filtered (in the address) down to one unit's report, which is returned with a reason; the
 * unit resubmits a changed figure; the coordinator sees the earlier reason and, field by
 * field, what changed; two reports are approved at once with one 审批意见 after a
 * confirmation, and the comment shows on the printable report page and in the audit trail.
 * axe finds no moderate, serious or critical problem on the queue or the report page,
 * desktop or phone, and neither overflows a phone's width.
 */
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser, postAs, signingIn } from "./browser.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"
import { desktop, phone, shoot } from "./shots.ts"

const wait = { timeout: 30_000 }

describe.skipIf(!browserAvailable())("the review queue", () => {
  let server: TourServer
  let browser: Browser
  const { signIn, errors, close } = signingIn(
    () => browser,
    () => server.url,
    tourPassword,
  )

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
  }, 240_000)
  afterAll(async () => {
    await close()
    await browser?.close()
    await server?.close()
  })

  const post = postAs

  /** axe on desktop and on a phone, and whether the phone's width holds the page. */
  const axeBoth = async (page: Page, include: ReadonlyArray<string>) => {
    const found = await axeViolations(page, include)
    await page.setViewportSize(phone)
    found.push(...(await axeViolations(page, include)))
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
    await page.setViewportSize(desktop)
    return { found, fits }
  }

  const task = "/campaigns/tour-2026/units/west-district/tasks/brochures"
  const eastTask = "/campaigns/tour-2026/units/east-district/tasks/brochures"
  const queueItems = (page: Page) =>
    page.locator("[data-testid=queue] > li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-unit")))

  let lead: Page
  let west: Page
  let westReport: string

  it("filters the queue in the address and returns one report with its reason", async () => {
    // West and east (invited by the coordinator) each report the brochures handed out.
    west = await signIn("west")
    lead = await signIn("lead")
    const invitation = await post(lead, "/people", {
      id: "east",
      name: "东区联络员",
      role: "unit",
      unit: "east-district",
    })
    const accepted = await fetch(`${server.url}/api/v1/invitations/accept`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: invitation.token, password: tourPassword }),
    })
    expect(accepted.status).toBe(200)
    const east = await signIn("east")
    await post(west, `${task}/acknowledge`)
    westReport = String(
      (
        await post(west, `${task}/reports`, {
          figures: { brochures: 800 },
          narrative: { narrative: "在区政务中心设点发放" },
        })
      ).report,
    )
    await post(east, `${eastTask}/acknowledge`)
    await post(east, `${eastTask}/reports`, {
      figures: { brochures: 500 },
      narrative: { narrative: "在东区图书馆设点发放" },
    })

    await lead.goto(`${server.url}/campaigns/tour-2026`)
    await lead.getByRole("link", { name: "审核队列" }).click()
    await expect.poll(() => new URL(lead.url()).pathname, wait).toBe("/campaigns/tour-2026/reviews")
    await expect.poll(() => queueItems(lead), wait).toEqual(["west-district", "east-district"])
    const filters = lead.getByTestId("queue-filters")
    await filters.getByLabel("搜索").fill("西区")
    await filters.getByRole("button", { name: "筛选", exact: true }).click()
    await expect.poll(() => queueItems(lead), wait).toEqual(["west-district"])
    expect(new URL(lead.url()).searchParams.get("q")).toBe("西区")
    await lead.reload()
    await expect.poll(() => queueItems(lead), wait).toEqual(["west-district"])

    const item = lead.locator(`[data-testid=queue] > li[data-report="${westReport}"]`)
    await item.getByRole("button", { name: "退回" }).click()
    await item.getByRole("button", { name: "确认退回" }).click()
    expect(await item.locator("[role=alert]").textContent()).toContain("退回时必须写明原因")
    await item.getByLabel("退回原因").fill("份数与发放台账不符，请核对")
    await item.getByRole("button", { name: "确认退回" }).click()
    await expect.poll(() => lead.getByTestId("queue-notice").textContent(), wait).toContain("已退回")
    await expect.poll(() => queueItems(lead), wait).toEqual([])
    expect(errors).toEqual([])
  }, 240_000)

  it("shows the earlier reason and what changed when the unit resubmits", async () => {
    const again = await post(west, `${task}/reports`, {
      figures: { brochures: 900 },
      narrative: { narrative: "在区政务中心设点发放" },
    })
    const filters = lead.getByTestId("queue-filters")
    await filters.getByRole("button", { name: "清除筛选" }).click()
    await expect.poll(() => queueItems(lead), wait).toEqual(["east-district", "west-district"])
    const item = lead.locator(`[data-testid=queue] > li[data-report="${again.report}"]`)
    expect(await item.textContent()).toContain("第2次报送")
    await item.getByRole("link", { name: /^查看报送/u }).click()
    await expect.poll(() => new URL(lead.url()).pathname, wait).toBe(`/reports/${again.report}`)
    const resubmission = lead.getByTestId("resubmission")
    await resubmission.waitFor(wait)
    expect(await lead.getByTestId("earlier-reason").textContent()).toContain("份数与发放台账不符，请核对")
    const row = lead.locator('[data-testid=diff] tr[data-field="brochures"]')
    expect(await row.getAttribute("data-changed")).toBe("true")
    expect(await row.textContent()).toMatch(/发放宣传资料.*800.*900.*已修改/u)
    const narrative = lead.locator('[data-testid=diff] tr[data-field="narrative"]')
    expect(await narrative.getAttribute("data-changed")).toBe("false")
    expect(await narrative.textContent()).toContain("未修改")
    expect(await lead.getByTestId("submitted-by").textContent()).toBe("西区联络员")
    const { found, fits } = await axeBoth(lead, ["main"])
    expect(found).toEqual([])
    expect(fits).toBe(true)
    await shoot(lead, "report-resubmitted")
  }, 120_000)

  it("approves two reports at once with one comment, after a confirmation", async () => {
    await lead.getByRole("link", { name: "返回审核队列" }).click()
    await expect.poll(() => queueItems(lead), wait).toEqual(["east-district", "west-district"])
    const { found, fits } = await axeBoth(lead, ["main"])
    expect(found).toEqual([])
    expect(fits).toBe(true)
    const bulk = lead.getByTestId("bulk")
    await bulk.getByLabel("全选显示的待审核报送").check()
    await bulk.getByLabel("审批意见").fill("同意，材料齐全")
    await bulk.getByRole("button", { name: "批量通过（已选 2 份）" }).click()
    const confirm = lead.getByTestId("bulk-confirm")
    expect(await confirm.textContent()).toContain("确认通过这 2 份报送？审批意见：“同意，材料齐全”")
    expect(await axeViolations(lead, ["main"])).toEqual([])
    await shoot(lead, "review-queue")
    await confirm.getByRole("button", { name: "确认通过" }).click()
    await expect.poll(() => lead.getByTestId("queue-notice").textContent(), wait).toContain("已通过 2 份")
    await expect.poll(() => queueItems(lead), wait).toEqual([])
  }, 120_000)

  it("shows the comment on the printable report page and in the audit trail", async () => {
    const filters = lead.getByTestId("queue-filters")
    await filters.getByLabel("状态").selectOption("approved")
    await filters.getByRole("button", { name: "筛选", exact: true }).click()
    await expect.poll(() => queueItems(lead), wait).toEqual(["east-district", "west-district"])
    expect(new URL(lead.url()).searchParams.get("state")).toBe("approved")
    await lead.locator("[data-testid=queue] > li[data-unit=west-district]").getByRole("link").click()
    await expect.poll(() => lead.getByTestId("review-comment").textContent(), wait).toBe("同意，材料齐全")
    expect(await lead.getByTestId("reviewed-by").textContent()).toBe("王局长")
    await lead.emulateMedia({ media: "print" })
    expect(await lead.locator("header.topbar").isVisible()).toBe(false)
    expect(await lead.getByRole("button", { name: "打印" }).isVisible()).toBe(false)
    await lead.emulateMedia({ media: "screen" })
    const { found, fits } = await axeBoth(lead, ["main"])
    expect(found).toEqual([])
    expect(fits).toBe(true)

    await lead.goto(`${server.url}/audit/tour-2026`)
    const entry = lead.locator('[data-testid="timeline"] li[data-event="task.approve"]').first()
    await entry.waitFor(wait)
    expect(await entry.locator('[data-testid="entry-notes"]').textContent()).toContain("审批意见：同意，材料齐全")
  }, 120_000)

  it("threw no error in any page", () => {
    expect(errors).toEqual([])
  })
})
