/**
 * The coordinator changes the running campaign in a real browser: extends one unit's
 * deadline, previewed then applied with a reason; the auditor then finds the change, with
 * its reason, in the trail, and the record still verifies.
 */
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { browserAvailable, launchBrowser, signingIn } from "./browser.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"

const wait = { timeout: 30_000 }

describe.skipIf(!browserAvailable())("changing a running campaign in the browser", () => {
  let server: TourServer
  let browser: Browser
  const { signIn, errors, close } = signingIn(
    () => browser,
    () => server.url,
    tourPassword,
  )

  beforeAll(async () => {
    server = await serveTour()
    browser = await launchBrowser()
  }, 240_000)
  afterAll(async () => {
    await close()
    await browser?.close()
    await server?.close()
  })

  it("previews and applies an extension for one unit; the auditor finds it with its reason", async () => {
    const lead = await signIn("lead")
    await lead.goto(`${server.url}/campaigns/tour-2026`)
    const panel = lead.getByTestId("change-panel")
    await panel.waitFor(wait)
    await panel.getByLabel("延长截止时间").check()
    await panel.getByLabel("任务").selectOption("brochures")
    await panel.getByLabel("单位", { exact: true }).selectOption("west-district")
    await panel.getByLabel("新的截止时间").fill("2026-04-25T18:00")
    // Nothing can be applied before it is previewed.
    await expect.poll(() => panel.getByRole("button", { name: "确认变更" }).isDisabled(), wait).toBe(true)
    await panel.getByRole("button", { name: "查看变更" }).click()
    const plan = lead.getByTestId("change-plan")
    await expect
      .poll(() => plan.textContent(), wait)
      .toContain("西区知识产权局的任务“发放知识产权宣传资料”截止时间由 2026-04-24 18:00 改为 2026-04-25 18:00")
    await panel.getByLabel("变更理由（记入日志）").fill("西区承办市里活动，申请延期一天")
    await panel.getByRole("button", { name: "确认变更" }).click()
    await expect.poll(() => plan.textContent(), wait).toContain("活动定义现为第 2 版")

    const auditor = await signIn("audit")
    await auditor.goto(`${server.url}/audit/tour-2026`)
    await expect.poll(() => auditor.locator('[data-testid="verification"]').getAttribute("data-ok"), wait).toBe("true")
    const changed = auditor.locator('[data-testid=timeline] li[data-event="campaign.changed"]')
    await expect.poll(() => changed.count(), wait).toBe(1)
    expect(await changed.textContent()).toContain("西区承办市里活动，申请延期一天")
    expect(errors).toEqual([])
  }, 180_000)
})
