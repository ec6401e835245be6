/**
 * 通知设置 in a real browser against the real server: west's contact unticks 催办 by email,
 * sets quiet hours from 22:00 to 07:30, saves and is told so; after a reload the form shows
 * what was kept. axe finds no moderate, serious or critical problem on the form, in either
 * language.
 */
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser, signingIn } from "./browser.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"

const wait = { timeout: 30_000 }
describe.skipIf(!browserAvailable())("notice settings in the web UI", () => {
  let server: TourServer
  let browser: Browser
  const { signIn, errors, close } = signingIn(
    () => browser,
    () => server.url,
    tourPassword,
  )

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
  })

  afterAll(async () => {
    await close()
    await browser?.close()
    await server?.close()
  })

  it("keeps a kind unticked by email and the quiet hours across a reload", async () => {
    const west = await signIn("west")
    await west.goto(`${server.url}/notices`)
    const form = west.getByTestId("notice-settings")
    await form.getByRole("group", { name: "邮件通知" }).waitFor(wait)
    const nudge = form.getByRole("checkbox", { name: "催办", exact: true })
    expect(await nudge.isChecked()).toBe(true)
    expect(await form.getByRole("checkbox", { name: "提醒", exact: true }).isChecked()).toBe(true)
    expect(await axeViolations(west, ['[data-testid="notice-settings"]'])).toEqual([])
    await nudge.uncheck()
    await form.getByLabel("开始", { exact: true }).fill("22:00")
    await form.getByLabel("结束", { exact: true }).fill("07:30")
    await form.getByRole("button", { name: "保存通知设置" }).click()
    const said = form.getByTestId("notice-settings-said")
    await expect.poll(() => said.textContent(), wait).toBe("通知设置已保存")
    expect(await axeViolations(west, ['[data-testid="notice-settings"]'])).toEqual([])

    await west.reload()
    const again = west.getByTestId("notice-settings")
    await again.getByRole("group", { name: "邮件通知" }).waitFor(wait)
    expect(await again.getByRole("checkbox", { name: "催办", exact: true }).isChecked()).toBe(false)
    expect(await again.getByRole("checkbox", { name: "提醒", exact: true }).isChecked()).toBe(true)
    expect(await again.getByLabel("开始", { exact: true }).inputValue()).toBe("22:00")
    expect(await again.getByLabel("结束", { exact: true }).inputValue()).toBe("07:30")

    // Half a window is refused before anything is sent.
    await again.getByLabel("结束", { exact: true }).fill("")
    await again.getByRole("button", { name: "保存通知设置" }).click()
    await expect.poll(() => again.getByTestId("notice-settings-said").textContent(), wait).toContain("同时填写")

    await west.getByRole("button", { name: "Switch to English" }).click()
    await again.getByRole("group", { name: "By email" }).waitFor(wait)
    expect(await again.getByRole("checkbox", { name: "Nudge", exact: true }).isChecked()).toBe(false)
    expect(await axeViolations(west, ['[data-testid="notice-settings"]'])).toEqual([])
  })

  it("threw no error in any page", () => {
    expect(errors).toEqual([])
  })
})
