/**
 * 催办 in a real browser against the real server (its worker fanning notices out): the
 * coordinator nudges the units not yet reported from the dashboard and is told how many;
 * west's contact sees the unread count in the top bar, opens the notice with its message and
 * marks it read; the coordinator sees, per person and channel, that the nudge was delivered.
 * axe finds no moderate, serious or critical problem on the new parts, in either language.
 */
import { startSmtp, subjectOf } from "@liandong/engine/testing"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser, signingIn } from "./browser.ts"
import { tourPassword, westEmail } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"
import { shoot } from "./shots.ts"

const wait = { timeout: 30_000 }
describe.skipIf(!browserAvailable())("催办 and notices in the web UI", () => {
  let server: TourServer
  let browser: Browser
  const { signIn, errors, close } = signingIn(
    () => browser,
    () => server.url,
    tourPassword,
  )
  const axe = axeViolations

  let lead: Page

  let smtp: Awaited<ReturnType<typeof startSmtp>>

  beforeAll(async () => {
    // A real SMTP server: the server's worker mails each nudged person with an address.
    smtp = await startSmtp()
    process.env.LIANDONG_SMTP_URL = `smtp://127.0.0.1:${smtp.port}`
    process.env.LIANDONG_SMTP_FROM = '"遂州市知识产权局" <notices@suizhou.example.gov.cn>'
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
  })

  afterAll(async () => {
    await close()
    await browser?.close()
    await server?.close()
    await smtp?.close()
  })

  it("lets the coordinator nudge the units not yet reported from the dashboard, after confirming", async () => {
    lead = await signIn("lead")
    await lead.getByRole("link", { name: "2026年知识产权宣传周" }).click()
    const panel = lead.getByTestId("nudge")
    await panel.waitFor(wait)
    expect(await panel.textContent()).toContain("当前阶段")
    await panel.getByLabel("未报送的单位").check()
    await panel.getByLabel("留言（可选）").fill("请于本周五前报送宣传资料发放情况")
    await panel.getByRole("button", { name: "催办…" }).click()
    const confirm = lead.getByTestId("nudge-confirm")
    expect(await confirm.textContent()).toContain("确认催办未报送的单位")
    expect(await axe(lead, ['section[aria-labelledby="nudge-h"]'])).toEqual([])
    await confirm.getByRole("button", { name: "确认催办" }).click()
    const done = lead.getByTestId("nudge-done")
    await done.waitFor(wait)
    expect(await done.textContent()).toMatch(/已催办 \d+ 个单位：.*西区/u)
  })

  it("shows west's contact the unread count and the notice with its message, and marks it read", async () => {
    const west = await signIn("west")
    const link = west.getByTestId("unread")
    await expect.poll(() => link.textContent(), wait).toMatch(/^通知（\d+ 条未读）$/u)
    await expect
      .poll(async () => Number((await link.locator(".unread-count").textContent()) ?? "0"), wait)
      .toBeGreaterThan(0)
    await link.click()
    await expect.poll(() => new URL(west.url()).pathname, wait).toBe("/notices")
    const nudge = west.locator('[data-kind="nudge"]').first()
    await nudge.waitFor(wait)
    expect(await nudge.textContent()).toContain("【催办】2026年知识产权宣传周")
    expect(await nudge.getByTestId("notice-message").textContent()).toContain("请于本周五前报送宣传资料发放情况")
    expect(await nudge.getAttribute("data-read")).toBe("false")
    expect(await axe(west, ["header.topbar", "main"])).toEqual([])
    await shoot(west, "notices")
    await west.getByRole("button", { name: "全部标为已读" }).click()
    await expect.poll(() => nudge.getAttribute("data-read"), wait).toBe("true")
    await expect.poll(() => link.textContent(), wait).toBe("通知（没有未读）")
    expect(await link.locator(".unread-count").count()).toBe(0)
    // In English too.
    await west.getByRole("button", { name: "Switch to English" }).click()
    await expect.poll(() => west.locator("h1").first().textContent(), wait).toBe("Notices")
    expect(await nudge.textContent()).toContain("Nudge")
    expect(await axe(west, ["header.topbar", "main"])).toEqual([])
  })

  it("shows the coordinator the nudge's delivery to each person, by channel", async () => {
    const panel = lead.getByTestId("deliveries")
    const group = panel.locator("details[data-nudge]").first()
    await expect
      .poll(async () => {
        if ((await group.count()) === 0) await panel.getByRole("button", { name: "刷新送达情况" }).click()
        return group.locator('tr[data-person="west"][data-channel="in-app"]').getAttribute("data-status")
      }, wait)
      .toBe("sent")
    // The worker mails on its next pass: the panel is refreshed until the email is sent.
    await expect
      .poll(async () => {
        const status = await group.locator('tr[data-person="west"][data-channel="email"]').getAttribute("data-status")
        if (status !== "sent") await panel.getByRole("button", { name: "刷新送达情况" }).click()
        return status
      }, wait)
      .toBe("sent")
    const mail = smtp.received.find((m) => m.to.includes(westEmail) && subjectOf(m.raw).startsWith("【催办】"))
    expect(mail, "the SMTP server received west's nudge").toBeDefined()
    expect(await group.locator("summary").textContent()).toMatch(/已送达 \d+ · 失败 0 · 待发送 0/u)
    expect(await group.textContent()).toContain("请于本周五前报送宣传资料发放情况")
    expect(await axe(lead, ['section[aria-labelledby="deliveries-h"]', 'section[aria-labelledby="nudge-h"]'])).toEqual(
      [],
    )
    await shoot(lead, "dashboard-nudged")
  })

  it("shows the nudge in the audit trail: whom, by what selector, with what message", async () => {
    await lead.goto(`${server.url}/audit/tour-2026`)
    const entry = lead.locator('[data-testid="timeline"] li[data-event="nudge"]').first()
    await entry.waitFor(wait)
    expect(await entry.locator('[data-testid="entry-head"]').textContent()).toContain("催办")
    const notes = (await entry.locator('[data-testid="entry-notes"]').textContent()) ?? ""
    expect(notes).toMatch(/催办：.*西区.*（未报送的单位）/u)
    expect(notes).toContain("留言：请于本周五前报送宣传资料发放情况")
  })

  it("threw no error in any page", () => {
    expect(errors).toEqual([])
  })
})
