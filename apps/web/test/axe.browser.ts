/**
 * axe-core on every screen of the UI — sign-in, the invitation, the campaign list, the
 * dashboard, a unit's page, the inbox, a task, the history, the notices with their
 * settings, people, the audit trail — each at desktop (1280 px) and phone (390 px) width,
 * in Chinese and in English: no critical, serious or moderate problem anywhere on the page.
 * The seeded data is made to show what each screen can show: a report returned with its
 * reason, one waiting for review, a nudge in the notices.
 */
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser, postAs, signingIn } from "./browser.ts"
import { type Person, type Screen, screens } from "./screens.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"
import { desktop, phone } from "./shots.ts"

const wait = { timeout: 30_000 }

const post = postAs

describe.skipIf(!browserAvailable())("axe on every screen, desktop and phone, Chinese and English", () => {
  let server: TourServer
  let browser: Browser
  let people: ReturnType<typeof signingIn>
  const pages = new Map<Person, Page>()
  /** West's returned report on the late campaign: its report page is checked too. */
  let returned = ""

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([serveTour(), launchBrowser()])
    people = signingIn(
      () => browser,
      () => server.url,
      tourPassword,
    )
    // West acknowledges both drives, reports in each; the coordinator returns one with a reason.
    const west = await people.signIn("west")
    for (const campaign of ["tour-2026", "late-2026"])
      await post(west, `/campaigns/${campaign}/units/west-district/tasks/brochures/acknowledge`)
    await post(west, "/campaigns/tour-2026/units/west-district/tasks/brochures/reports", {
      figures: { brochures: 1200 },
      narrative: { narrative: "在区政务中心设点发放" },
    })
    const late = await post(west, "/campaigns/late-2026/units/west-district/tasks/brochures/reports", {
      figures: { brochures: 800 },
      narrative: { narrative: "社区发放" },
    })
    const lead = await people.signIn("lead")
    await post(lead, `/reports/${late.report}/return`, { reason: "请补充发放地点和照片" })
    returned = String(late.report)
    await post(lead, "/campaigns/tour-2026/nudges", { which: "unacknowledged", message: "请尽快确认接收" })
    await post(lead, "/campaigns/late-2026/nudges", { units: ["west-district"], message: "请重新报送" })
    pages.set("west", west)
    pages.set("lead", lead)
    pages.set("audit", await people.signIn("audit"))
    const signedOut = await (await browser.newContext({ viewport: desktop, locale: "zh-CN" })).newPage()
    await signedOut.goto(server.url)
    pages.set(null, signedOut)
  }, 240_000)
  afterAll(async () => {
    await pages.get(null)?.context().close()
    await people?.close()
    await browser?.close()
    await server?.close()
  })

  /** The screen loaded, then axe at both widths: its findings, each prefixed with where. */
  const check = async (page: Page, screen: Screen, lang: string): Promise<string[]> => {
    await page.setViewportSize(desktop)
    await page.goto(`${server.url}${screen.path}`)
    await page.locator(screen.ready).first().waitFor(wait)
    const found: string[] = []
    for (const [width, size] of [
      ["1280", desktop],
      ["390", phone],
    ] as const) {
      await page.setViewportSize(size)
      for (const line of await axeViolations(page, ["body"])) found.push(`${screen.name} ${lang} ${width}px: ${line}`)
    }
    await page.setViewportSize(desktop)
    return found
  }

  const every = (lang: "zh" | "en") => async () => {
    const found: string[] = []
    for (const screen of screens) {
      const page = pages.get(screen.person) as Page
      await page.evaluate((lang) => localStorage.setItem("liandong.lang", lang), lang)
      found.push(...(await check(page, screen, lang)))
      expect(await page.locator("html").getAttribute("lang"), screen.name).toBe(lang === "zh" ? "zh-CN" : "en")
    }
    // The auditor's own campaign list, a task page with a returned report and the form, the
    // review queue (returned reports shown) and a returned report's page.
    for (const [person, path, ready] of [
      ["audit", "/audit", "main .task-list li a"],
      ["west", "/tasks/late-2026/west-district/brochures", "[data-testid=report-form]"],
      ["lead", "/campaigns/late-2026/reviews?state=returned", "[data-testid=queue] li"],
      ["lead", `/reports/${returned}`, "main h1"],
    ] as const)
      found.push(...(await check(pages.get(person) as Page, { name: path, person, path, ready }, lang)))
    expect(found).toEqual([])
    expect(people.errors).toEqual([])
  }

  it("finds nothing in Chinese", every("zh"), 300_000)
  it("finds nothing in English", every("en"), 300_000)
})
