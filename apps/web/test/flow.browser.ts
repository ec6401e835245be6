/**
 * The whole flow in a real browser against the real server on PGlite: the
 * coordinator signs in with a password and invites east's contact, who opens
 * the link, sets a password, signs in (a second tab is signed in too),
 * acknowledges and reports (a bad figure is caught in the browser, and the
 * server's own check is shown next to its field), the coordinator returns the
 * report with a reason, the unit resubmits, the coordinator — watching live —
 * approves, the matrix and totals follow, and the auditor finds every step.
 * Another unit never sees those tasks. Signing out ends the session in both tabs.
 */
import { join } from "node:path"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { browserAvailable, launchBrowser } from "./browser.ts"
import { eastContact, tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"
import { desktop, phone, shoot, shotsDir } from "./shots.ts"

const eastTask = "tour-2026/east-district/brochures"
const westTask = "tour-2026/west-district/brochures"
const lateTask = "late-2026/east-district/brochures"
const wait = { timeout: 30_000 }
const eastPassword = "东区联络-Contact-2026"

describe.skipIf(!browserAvailable())("the web UI, end to end", () => {
  let server: TourServer
  let browser: Browser
  const contexts: BrowserContext[] = []
  const errors: string[] = []

  /** A fresh browser profile. Its own clock is today's: countdowns must follow the server's campaign clock. */
  const open = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: desktop, locale: "zh-CN", timezoneId: "Asia/Shanghai" })
    contexts.push(context)
    const page = await context.newPage()
    page.on("pageerror", (error) => errors.push(error.message))
    await page.goto(server.url)
    return page
  }

  /** Presses Tab until the focused element has this text or label (inside `within`, if given); fails when it never comes. */
  const tabTo = async (page: Page, name: string, within?: string) => {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab")
      const focused = await page.evaluate((within) => {
        const el = document.activeElement
        // The body holds focus between the last control and the first: its text is the whole page.
        if (el === null || el === document.body || (within !== undefined && el.closest(within) === null)) return ""
        const labels = (el as HTMLInputElement).labels
        const label = labels ? Array.from(labels, (l) => l.textContent ?? "").join(" ") : ""
        return `${el.textContent ?? ""}|${el.getAttribute("aria-label") ?? ""}|${label}`
      }, within)
      if (focused.includes(name)) return
    }
    throw new Error(`Tab never reached "${name}"`)
  }

  /** Signs in with a name and password (by keyboard alone, if asked) and waits for the person's name in the top bar. */
  const signIn = async (name: string, password = tourPassword, by: "mouse" | "keyboard" = "mouse"): Promise<Page> => {
    const page = await open()
    if (by === "keyboard") {
      await tabTo(page, "登录名")
      await page.keyboard.type(name)
      await page.keyboard.press("Tab")
      await page.keyboard.type(password)
      await page.keyboard.press("Enter")
    } else {
      await page.getByLabel("登录名").fill(name)
      await page.getByLabel("密码", { exact: true }).fill(password)
      await page.getByRole("button", { name: "登录" }).click()
    }
    await page.getByTestId("who").waitFor(wait)
    return page
  }

  /** True when nothing on the page is wider than a phone's screen. */
  const fitsPhone = async (page: Page) => {
    await page.setViewportSize(phone)
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
    await page.setViewportSize(desktop)
    return fits
  }

  const text = (page: Page, selector: string) => page.locator(selector).first().textContent(wait)

  /** The text a labelled field is described by (its hint, and its error when it has one). */
  const described = (page: Page, label: string) =>
    page.getByLabel(label).evaluate((el) =>
      (el.getAttribute("aria-describedby") ?? "")
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent ?? "")
        .join(" "),
    )

  let unit: Page
  let lead: Page

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
  })

  afterAll(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await server?.close()
  })

  it("turns away a wrong password with the same words as an unknown name, next to the field", async () => {
    const page = await open()
    await page.getByLabel("登录名").fill("lead")
    await page.getByLabel("密码", { exact: true }).fill("not-the-password-1")
    await page.getByRole("button", { name: "登录" }).click()
    await expect.poll(() => page.getByRole("alert").textContent(), wait).toContain("登录名或密码不正确")
    expect(await page.getByTestId("oidc").textContent()).toContain("统一身份认证")
    await shoot(page, "sign-in")
    expect(await fitsPhone(page)).toBe(true)
  })

  let invitation = ""

  it("lets the coordinator invite east's contact and shows the link once", async () => {
    lead = await signIn("lead")
    await lead.getByRole("link", { name: "人员" }).click()
    await expect.poll(() => new URL(lead.url()).pathname, wait).toBe("/people")
    await lead.getByLabel("登录名").fill(eastContact.id)
    await lead.getByLabel("姓名").fill(eastContact.name)
    await lead.getByLabel("单位代码").fill(eastContact.unit)
    await lead.getByRole("button", { name: "生成邀请链接" }).click()
    invitation = (await text(lead, '[data-testid="invitation-url"]')) ?? ""
    expect(invitation).toContain("/invite#")
    expect(await lead.getByTestId("invitation-link").textContent()).toContain("只显示这一次")
    await expect.poll(() => lead.locator("tbody tr").filter({ hasText: eastContact.name }).count(), wait).toBe(1)
  })

  it("lets the contact set a password by the link, which works only once", async () => {
    const page = await open()
    await page.goto(invitation)
    await page.getByLabel("新密码", { exact: true }).fill(eastPassword)
    await page.getByLabel("再次输入新密码").fill(eastPassword)
    await page.getByRole("button", { name: "设置密码" }).click()
    await expect.poll(() => page.getByRole("status").textContent(), wait).toContain("密码已设置")
    expect(page.url()).not.toContain("#")
    const again = await open()
    await again.goto(invitation)
    await again.getByLabel("新密码", { exact: true }).fill(eastPassword)
    await again.getByLabel("再次输入新密码").fill(eastPassword)
    await again.getByRole("button", { name: "设置密码" }).click()
    await expect.poll(() => again.getByRole("alert").textContent(), wait).toContain("邀请链接无效或已过期")
  })

  it("shows a unit its own tasks by phase, with the deadline counting down, and no one else's", async () => {
    unit = await signIn(eastContact.id, eastPassword, "keyboard")
    await expect.poll(() => new URL(unit.url()).pathname, wait).toBe("/inbox")
    const card = unit.locator(`[data-task="${eastTask}"]`)
    await card.waitFor(wait)
    expect(await card.getAttribute("data-status")).toBe("assigned")
    expect(await card.textContent()).toContain("剩余 10天")
    expect(await unit.locator(`[data-task="${westTask}"]`).count()).toBe(0)
    const late = unit.locator(`[data-task="${lateTask}"]`)
    expect(await late.textContent()).toContain("已逾期")
    expect(await late.textContent()).toContain("已过 16小时")
    expect(await late.getAttribute("class")).toContain("overdue")
    expect(await unit.locator("h3").first().textContent()).toContain("阶段")
    await shoot(unit, "inbox")
    expect(await fitsPhone(unit)).toBe(true)
  })

  let secondTab: Page

  it("keeps the contact signed in in a second tab", async () => {
    secondTab = await unit.context().newPage()
    secondTab.on("pageerror", (error) => errors.push(error.message))
    await secondTab.goto(`${server.url}/history`)
    await secondTab.getByTestId("who").waitFor(wait)
    expect(await secondTab.getByTestId("who").textContent()).toContain(eastContact.name)
  })

  it("acknowledges in one action, by keyboard too", async () => {
    await tabTo(unit, "确认接收", `[data-task="${eastTask}"]`)
    await unit.keyboard.press("Enter")
    const card = unit.locator(`[data-task="${eastTask}"]`)
    await expect.poll(() => card.getAttribute("data-status"), wait).toBe("acknowledged")
  })

  it("catches a bad figure in the browser and shows it next to the field", async () => {
    await unit.locator(`[data-task="${eastTask}"]`).getByRole("link", { name: "填写报送" }).click()
    const figure = unit.getByLabel("发放宣传资料")
    await figure.fill("12.5")
    await unit.getByRole("button", { name: "提交报送" }).click()
    expect(await text(unit, '[data-error-for="figures.brochures"]')).toContain("须为整数")
    expect(await text(unit, '[data-error-for="narrative.narrative"]')).toContain("请填写“工作情况”")
    expect(await text(unit, '[data-testid="form-summary"]')).toContain("有 2 处需要修改")
    expect(await figure.getAttribute("aria-invalid")).toBe("true")
    expect(await unit.evaluate(() => document.activeElement?.getAttribute("data-path"))).toBe("figures.brochures")
    await shoot(unit, "report-form-error")
    expect(await fitsPhone(unit)).toBe(true)
  })

  it("keeps a draft in this browser only, and says so", async () => {
    await unit.getByLabel("发放宣传资料").fill("1200")
    await unit.getByLabel("工作情况").fill("在区政务中心设点发放宣传资料")
    expect(await unit.locator("[data-error-for]").count()).toBe(0)
    await unit.getByRole("button", { name: "保存草稿" }).click()
    expect(await text(unit, '[data-testid="draft-status"]')).toContain("未提交给牵头单位")
    await unit.reload()
    await unit.getByLabel("发放宣传资料").waitFor(wait)
    expect(await unit.getByLabel("发放宣传资料").inputValue()).toBe("1200")
    expect(await unit.getByLabel("工作情况").inputValue()).toBe("在区政务中心设点发放宣传资料")
    expect(await unit.locator("main").textContent()).toContain("已恢复本浏览器中保存的草稿")
  })

  it("shows the server's own check next to its field when the browser's was bypassed", async () => {
    // What reaches the server is altered on the way, as a tampered or outdated client would send it.
    await unit.route("**/api/v1/campaigns/*/units/*/tasks/*/reports", async (route) => {
      const body = JSON.parse(route.request().postData() ?? "{}")
      await route.continue({ postData: JSON.stringify({ ...body, figures: { brochures: "-5" } }) })
    })
    await unit.getByRole("button", { name: "提交报送" }).click()
    expect(await text(unit, '[data-error-for="figures.brochures"]')).toContain("不能小于 0")
    await unit.unroute("**/api/v1/campaigns/*/units/*/tasks/*/reports")
  })

  it("submits the corrected report", async () => {
    await unit.getByRole("button", { name: "提交报送" }).click()
    await expect
      .poll(() => unit.locator(`[data-task="${eastTask}"]`).getAttribute("data-status"), wait)
      .toBe("submitted")
    expect(await unit.locator('[data-report] [data-figure="brochures"]').first().textContent()).toContain("1,200份")
  })

  it("lets the coordinator return it with a reason", async () => {
    lead = await signIn("lead")
    await expect.poll(() => new URL(lead.url()).pathname, wait).toBe("/campaigns")
    await lead.getByRole("link", { name: "2026年知识产权宣传周" }).click()
    await expect.poll(() => new URL(lead.url()).pathname, wait).toBe("/campaigns/tour-2026")
    const pending = lead.locator(`[data-pending="${eastTask}"]`)
    await pending.waitFor(wait)
    expect(await lead.locator('[data-unit="east-district"] [data-phase="publicity"]').getAttribute("data-state")).toBe(
      "submitted",
    )
    await shoot(lead, "dashboard")
    expect(await fitsPhone(lead)).toBe(true)
    await pending.getByRole("button", { name: "退回" }).click()
    await pending.getByRole("button", { name: "确认退回" }).click()
    expect(await text(lead, '[data-pending] [role="alert"]')).toContain("必须写明原因")
    await pending.getByLabel("退回原因").fill("请补充发放地点,并核实份数")
    await pending.getByRole("button", { name: "确认退回" }).click()
    await expect.poll(() => lead.locator(`[data-pending="${eastTask}"]`).count(), wait).toBe(0)
    await expect
      .poll(() => lead.locator('[data-unit="east-district"] [data-phase="publicity"]').getAttribute("data-state"), wait)
      .toBe("returned")
  })

  it("shows the unit why it came back, and takes the resubmission", async () => {
    await unit.goto(`${server.url}/inbox`)
    const card = unit.locator(`[data-task="${eastTask}"]`)
    await expect.poll(() => card.getAttribute("data-status"), wait).toBe("returned")
    // The reason comes with the returned reports, which load beside the tasks.
    await expect.poll(() => card.textContent(), wait).toContain("请补充发放地点,并核实份数")
    await shoot(unit, "inbox-returned")
    await unit.locator(`[data-task="${eastTask}"]`).getByRole("link", { name: "修改后重新报送" }).click()
    const figure = unit.getByLabel("发放宣传资料")
    await figure.waitFor(wait)
    expect(await figure.inputValue()).toBe("1200")
    await figure.fill("1300")
    await unit.getByRole("button", { name: "提交报送" }).click()
    await expect
      .poll(() => unit.locator(`[data-task="${eastTask}"]`).getAttribute("data-status"), wait)
      .toBe("submitted")
  })

  it("updates the coordinator's dashboard without a reload, and approving moves the matrix and the totals", async () => {
    // The dashboard has stayed open since the return: the resubmission must arrive by itself.
    const pending = lead.locator(`[data-pending="${eastTask}"]`)
    await pending.waitFor(wait)
    expect(await pending.textContent()).toContain("1,300份")
    await pending.getByRole("button", { name: "通过" }).click()
    await expect
      .poll(() => lead.locator('[data-unit="east-district"] [data-phase="publicity"]').getAttribute("data-state"), wait)
      .toBe("done")
    await expect
      .poll(
        () => lead.locator('[data-testid="totals"] [data-figure="brochures"] td').first().getAttribute("data-total"),
        wait,
      )
      .toBe("1300")
    expect(await lead.locator('[data-testid="chart"]').textContent()).toContain("东区知识产权局")
    await lead.getByLabel("选择单位").selectOption("east-district")
    const machine = lead.locator('[data-testid="machine"][data-unit="east-district"]')
    await machine.waitFor(wait)
    await expect
      .poll(() => machine.locator('[data-current="true"]').first().getAttribute("data-state"), wait)
      .toBe("publicity.done")
    const summary = lead.locator('[data-testid="summary"]')
    await expect.poll(() => summary.contentFrame().locator("body").textContent(), wait).toContain("发放宣传资料1300份")
    await summary.screenshot({ path: join(shotsDir, "summary-preview.png") })
    await shoot(lead, "dashboard-approved")
  })

  it("marks overdue tasks in the coordinator's matrix, and expands and collapses the hierarchy", async () => {
    await lead.getByRole("link", { name: "活动总览" }).click()
    await lead.getByRole("link", { name: "2026年知识产权保护专项行动" }).click()
    const cell = lead.locator('[data-unit="east-district"] [data-phase="publicity"]')
    await expect.poll(() => cell.getAttribute("data-state"), wait).toBe("overdue")
    expect(await cell.textContent()).toContain("逾期 1 天")
    await shoot(lead, "dashboard-overdue")
    const rows = () =>
      lead.locator("[data-testid=matrix] tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-unit")))
    expect(await rows()).toEqual(["city-ipo", "east-district", "west-district"])
    const toggle = lead.getByRole("button", { name: "收起下级单位：xx市知识产权局" })
    expect(await toggle.getAttribute("aria-expanded")).toBe("true")
    await toggle.click()
    expect(await rows()).toEqual(["city-ipo"])
    await lead.getByRole("button", { name: "展开下级单位：xx市知识产权局" }).click()
    expect(await rows()).toEqual(["city-ipo", "east-district", "west-district"])
    await lead.goto(`${server.url}/campaigns/tour-2026`)
    await lead.locator('[data-testid="matrix"]').waitFor(wait)
  })

  it("lets the auditor find every step, before → after, with the record verified", async () => {
    const auditor = await signIn("audit")
    await expect.poll(() => new URL(auditor.url()).pathname, wait).toBe("/audit")
    await auditor.getByRole("link", { name: "2026年知识产权宣传周" }).click()
    await expect.poll(() => new URL(auditor.url()).pathname, wait).toBe("/audit/tour-2026")
    await expect.poll(() => auditor.locator('[data-testid="verification"]').getAttribute("data-ok"), wait).toBe("true")
    await auditor.getByLabel("单位").selectOption("east-district")
    await auditor.getByRole("button", { name: "筛选" }).click()
    await expect.poll(() => new URL(auditor.url()).search, wait).toContain("unit=east-district")
    const events = async () =>
      await auditor
        .locator("[data-testid=timeline] li")
        .evaluateAll((items) => items.map((li) => li.getAttribute("data-event")))
    await expect
      .poll(async () => (await events()).filter((e) => e?.startsWith("task.") && e !== "task.remind"), wait)
      .toEqual(["task.acknowledge", "task.submit", "task.return", "task.submit", "task.approve"])
    const units = await auditor
      .locator("[data-testid=timeline] li")
      .evaluateAll((items) => items.map((li) => li.getAttribute("data-unit")))
    expect(new Set(units)).toEqual(new Set(["east-district"]))
    const returned = auditor.locator('[data-testid=timeline] li[data-event="task.return"]')
    expect(await returned.textContent()).toContain("→")
    expect(await returned.textContent()).toContain("请补充发放地点")
    // Every state reads as words, never as the machine's keys or paths.
    const changes = () =>
      auditor.locator("[data-testid=before-after] > div").evaluateAll((lines) => lines.map((l) => l.textContent))
    expect((await changes()).filter((line) => /[A-Za-z{}]/.test(line ?? ""))).toEqual([])
    // Who, what set it off and the notes are words too: only ids and the city's "xx" stay as written.
    const said = () =>
      auditor
        .locator("[data-testid=entry-head], [data-testid=entry-who], [data-testid=entry-notes]")
        .evaluateAll((parts) => parts.map((p) => p.textContent ?? ""))
    expect((await said()).filter((line) => /[A-Za-z]/.test(line.replace(/\b(east|lead)\b|xx/g, "")))).toEqual([])
    expect(await returned.locator("[data-testid=entry-notes]").textContent()).toMatch(
      /^说明：报送 \d+；退回原因：请补充发放地点,并核实份数$/,
    )
    expect((await said()).some((line) => /^操作人：系统（自动处理） · 来源：系统消息 #\d+$/.test(line))).toBe(true)
    expect(await changes()).toEqual(
      expect.arrayContaining([
        "宣传：待开始 → 进行中（发放知识产权宣传资料：待确认）",
        "宣传 · 发放知识产权宣传资料：待确认 → 已确认",
        "宣传：进行中（发放知识产权宣传资料：已报送） → 已完成",
      ]),
    )
    await shoot(auditor, "audit")
    expect(await fitsPhone(auditor)).toBe(true)
    await auditor.getByRole("button", { name: "Switch to English" }).click()
    await expect.poll(() => auditor.locator("h1").textContent(), wait).toContain("Audit trail")
    expect(await returned.textContent()).toContain("return")
    expect(await returned.locator("[data-testid=entry-notes]").textContent()).toMatch(
      /^Detail: report \d+; Reason for return: /,
    )
    expect(await changes()).toEqual(
      expect.arrayContaining([
        "Publicity: waiting → open (Hand out IP brochures: assigned)",
        "Publicity: open (Hand out IP brochures: submitted) → done",
      ]),
    )
    expect(await auditor.locator("html").getAttribute("lang")).toBe("en")
    await shoot(auditor, "audit-english")
    expect(await described(auditor, "From")).toContain("year-month-day")
    await auditor.getByRole("button", { name: "切换到中文" }).click()
    await expect.poll(() => auditor.locator("h1").textContent(), wait).toContain("审计日志")
  })

  it("filters the trail by dates typed year first, in the interface's language, whatever the browser's format", async () => {
    const auditor = await signIn("audit")
    await auditor.goto(`${server.url}/audit/tour-2026?unit=east-district`)
    const since = auditor.getByLabel("起始时间")
    await since.waitFor(wait)
    expect(await since.getAttribute("type")).toBe("text")
    expect(await described(auditor, "起始时间")).toContain("年-月-日，可加时:分，如 2026-04-14")
    expect(await described(auditor, "截止时间")).toContain("只写日期时含当天")
    // The browser's own month-first form is refused next to the field, and nothing is applied.
    await since.fill("04/14/2026")
    await auditor.getByRole("button", { name: "筛选", exact: true }).click()
    expect(await text(auditor, '[data-error-for="since"]')).toContain("请按“年-月-日”")
    expect(await since.getAttribute("aria-invalid")).toBe("true")
    expect(await described(auditor, "起始时间")).toContain("请按“年-月-日”")
    expect(await auditor.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("since")
    expect(new URL(auditor.url()).searchParams.has("since")).toBe(false)
    await since.fill("2026年4月14日")
    await auditor.getByLabel("截止时间").fill("2026-04-14")
    await auditor.getByRole("button", { name: "筛选", exact: true }).click()
    await expect.poll(() => new URL(auditor.url()).searchParams.get("since"), wait).toBe("2026-04-14")
    expect(new URL(auditor.url()).searchParams.get("until")).toBe("2026-04-14")
    const events = () =>
      auditor
        .locator("[data-testid=timeline] li")
        .evaluateAll((items) => items.map((li) => li.getAttribute("data-event")))
    // The phase opened on the 13th; everything the unit did on the 14th stays, the whole day included.
    await expect.poll(async () => (await events()).includes("phase.open"), wait).toBe(false)
    expect(await events()).toEqual(expect.arrayContaining(["task.acknowledge", "task.return", "task.approve"]))
    expect(await auditor.getByLabel("起始时间").inputValue()).toBe("2026-04-14")
    await shoot(auditor, "audit-filtered")
    expect(await fitsPhone(auditor)).toBe(true)
  })

  it("ends the session in both tabs when the contact signs out", async () => {
    await unit.getByRole("button", { name: "退出", exact: true }).click()
    await unit.getByLabel("登录名").waitFor(wait)
    // The other tab's next request finds the session gone and lands on sign-in: the click here,
    // or its own count of unread notices when the half minute comes first on a slow machine.
    const signInAgain = secondTab.getByLabel("登录名")
    await Promise.race([
      secondTab
        .getByRole("link", { name: "我的任务" })
        .click(wait)
        .catch(() => undefined),
      signInAgain.waitFor(wait),
    ])
    await signInAgain.waitFor(wait)
    expect(await secondTab.locator("main").textContent()).toContain("登录已失效")
    await secondTab.reload()
    await secondTab.getByLabel("登录名").waitFor(wait)
  })

  it("never shows another unit's tasks, not even by address", async () => {
    const other = await signIn("west")
    await other.locator(`[data-task="${westTask}"]`).waitFor(wait)
    expect(await other.locator(`[data-task="${eastTask}"]`).count()).toBe(0)
    await other.goto(`${server.url}/tasks/tour-2026/east-district/brochures`)
    expect(await text(other, '[role="alert"]')).toContain("未找到")
    expect(await other.locator("main").textContent()).not.toContain("1,300")
  })

  it("threw no error in any page", () => {
    expect(errors).toEqual([])
  })
})
