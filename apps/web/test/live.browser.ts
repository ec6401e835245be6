/**
 * Live updates in a real browser against the real server: the coordinator's dashboard holds
 * the server-sent event stream for more than 30 s (the request stays open in Chromium's own
 * network log, keep-alive comments arrive, nothing polls `/changes`, the badge says 实时更新);
 * a report west submits in another profile reaches the dashboard, west's history page in
 * another tab and the auditor's trail through the stream — no poll, no reload — and the time
 * it took is logged; the unit page opened from the matrix keeps the same stream. When
 * the stream is refused, the badge says 轮询中 with the reason, and updates still arrive. A tab
 * following three campaigns holds two streams and polls for the third.
 */
import { tour } from "@liandong/campaigns"
import type { Browser, CDPSession, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, browserAvailable, launchBrowser, postAs, signingIn } from "./browser.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"

const wait = { timeout: 30_000 }

const post = postAs

/** What Chromium's network log says of a page's event streams and polls. */
interface Watched {
  /**
   * every events request: the document that sent it (its loader), when, the bytes as they came,
   * and how it ended (if it did)
   */
  readonly streams: Array<{ id: string; loader: string; sent: number; chunks: number[]; ended: string | null }>
  /** the `/changes` requests made */
  readonly polls: string[]
  readonly cdp: CDPSession
}

/** Watches a page's requests through the DevTools protocol, before it opens anything. */
const watch = async (page: Page): Promise<Watched> => {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send("Network.enable")
  const watched: Watched = { streams: [], polls: [], cdp }
  const stream = (id: string) => watched.streams.find((s) => s.id === id)
  cdp.on("Network.requestWillBeSent", (e) => {
    const path = new URL(e.request.url).pathname
    if (/^\/api\/v1\/campaigns\/[^/]+\/events$/.test(path))
      watched.streams.push({ id: e.requestId, loader: e.loaderId, sent: Date.now(), chunks: [], ended: null })
    if (/^\/api\/v1\/campaigns\/[^/]+\/changes$/.test(path)) watched.polls.push(e.request.url)
  })
  cdp.on("Network.dataReceived", (e) => stream(e.requestId)?.chunks.push(Date.now()))
  cdp.on("Network.loadingFinished", (e) => {
    const s = stream(e.requestId)
    if (s) s.ended = "finished"
  })
  cdp.on("Network.loadingFailed", (e) => {
    const s = stream(e.requestId)
    if (s) s.ended = `failed: ${e.errorText}${e.canceled ? " (canceled)" : ""}`
  })
  return watched
}

describe.skipIf(!browserAvailable())("live updates: the stream holds, and falls back to polling when refused", () => {
  let server: TourServer
  let browser: Browser
  let people: ReturnType<typeof signingIn>

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

  /** the report west sends in the first test */
  let report = ""

  const badge = (page: Page) => page.locator("main [data-live]").first()
  const cell = (page: Page, unit: string) => page.locator(`[data-unit="${unit}"] [data-phase="publicity"]`)

  it("holds the stream for 30 s, and a unit's report reaches the dashboard and the history through it", async () => {
    const lead = await people.signIn("lead")
    const dashboard = await watch(lead)
    await lead.goto(`${server.url}/campaigns/tour-2026`)
    await expect.poll(() => badge(lead).getAttribute("data-live"), wait).toBe("stream")
    expect(await badge(lead).textContent()).toContain("实时更新")
    expect(await cell(lead, "west-district").getAttribute("data-state")).toBe("assigned")

    // West in another profile: one tab to act in, one on its history.
    const west = await people.signIn("west")
    const historyTab = await west.context().newPage()
    const history = await watch(historyTab)
    await historyTab.goto(`${server.url}/history`)
    await historyTab.getByRole("heading", { name: "我的报送记录" }).waitFor(wait)
    await expect.poll(() => history.streams.filter((s) => s.chunks.length > 0).length, wait).toBe(2)
    expect(await historyTab.locator("[data-report]").count()).toBe(0)

    // The auditor follows the trail.
    const auditor = await people.signIn("audit")
    const trail = await watch(auditor)
    await auditor.goto(`${server.url}/audit/tour-2026`)
    await expect.poll(() => badge(auditor).getAttribute("data-live"), wait).toBe("stream")
    const entries = auditor.locator("[data-testid=timeline] li")
    await expect.poll(() => entries.count(), wait).toBeGreaterThan(0)
    const before = await entries.count()

    // More than 30 s on the stream: one request, still open, nothing polled, the badge unchanged.
    const opened = dashboard.streams[0]?.sent ?? Date.now()
    await lead.waitForTimeout(32_000)
    expect(dashboard.streams).toHaveLength(1)
    const held = dashboard.streams[0]
    expect(held?.ended).toBeNull()
    expect(dashboard.polls).toEqual([])
    expect(await badge(lead).getAttribute("data-live")).toBe("stream")
    // The first frame, then a keep-alive comment every 15 s.
    const keepAlives = (held?.chunks ?? []).slice(1).map((at) => Math.round((at - opened) / 1000))
    console.log(`dashboard stream open ${Math.round((Date.now() - opened) / 1000)} s; keep-alives at ${keepAlives} s`)
    expect(keepAlives.length).toBeGreaterThanOrEqual(1)
    // Marks each page: a reload would lose the mark.
    for (const page of [lead, historyTab, auditor])
      await page.evaluate(() => {
        ;(window as unknown as { stayed: boolean }).stayed = true
      })

    await post(west, "/campaigns/tour-2026/units/west-district/tasks/brochures/acknowledge")
    const sentAt = Date.now()
    const sent = await post(west, "/campaigns/tour-2026/units/west-district/tasks/brochures/reports", {
      figures: { brochures: 640 },
      narrative: { narrative: "在社区服务中心设点发放" },
    })
    const answered = Date.now()
    report = String(sent.report)
    const [onDashboard, onHistory, onTrail] = await Promise.all([
      cell(lead, "west-district")
        .and(lead.locator('[data-state="submitted"]'))
        .waitFor({ timeout: 60_000 })
        .then(() => Date.now()),
      historyTab
        .locator(`[data-report="${sent.report}"]`)
        .waitFor({ timeout: 60_000 })
        .then(() => Date.now()),
      auditor
        .locator(`[data-testid=timeline] li:nth-child(${before + 1})`)
        .waitFor({ timeout: 60_000 })
        .then(() => Date.now()),
    ])
    console.log(
      `report submitted (answered in ${answered - sentAt} ms): on the dashboard after ${onDashboard - answered} ms, on the history page after ${onHistory - answered} ms, in the audit trail after ${onTrail - answered} ms`,
    )
    expect(await cell(lead, "west-district").textContent()).toContain("待审核")
    expect(await historyTab.locator(`[data-report="${sent.report}"]`).getAttribute("data-status")).toBe("submitted")
    // Through the stream: the same requests still open, no poll, no reload.
    expect(dashboard.streams).toHaveLength(1)
    expect(dashboard.streams[0]?.ended).toBeNull()
    expect(history.streams).toHaveLength(2)
    expect(history.streams.every((s) => s.ended === null)).toBe(true)
    expect(trail.streams).toHaveLength(1)
    expect(trail.streams[0]?.ended).toBeNull()
    expect([...dashboard.polls, ...history.polls, ...trail.polls]).toEqual([])
    for (const page of [lead, historyTab, auditor])
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
    expect(await badge(lead).getAttribute("data-live")).toBe("stream")
    expect(await axeViolations(lead, ["main [data-live]"])).toEqual([])

    // West's page from the matrix keeps the campaign's stream: the same request, no new one.
    await lead.locator('[data-unit="west-district"] [data-testid="unit-link"]').click()
    const westTask = lead.locator('[data-testid="unit-tasks"] tr[data-task="brochures"]')
    await expect.poll(() => westTask.getAttribute("data-status"), wait).toBe("submitted")
    expect(await badge(lead).getAttribute("data-live")).toBe("stream")
    expect(dashboard.streams).toHaveLength(1)
    expect(dashboard.streams[0]?.ended).toBeNull()
    expect(await lead.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
    expect(people.errors).toEqual([])
  }, 240_000)

  it("says 轮询中 with the reason when the stream is refused, and updates still arrive", async () => {
    const lead = await people.signIn("lead")
    const watched = await watch(lead)
    await lead.route("**/api/v1/campaigns/*/events", (route) => route.abort("connectionrefused"))
    await lead.goto(`${server.url}/campaigns/tour-2026`)
    await expect.poll(() => badge(lead).getAttribute("data-live"), wait).toBe("polling")
    expect(await badge(lead).textContent()).toContain("轮询中")
    expect(await badge(lead).getAttribute("title")).toContain("网络中断")
    expect(await badge(lead).getAttribute("data-fault")).toBe("network")
    expect(await axeViolations(lead, ["main [data-live]"])).toEqual([])
    await expect.poll(() => watched.polls.length, wait).toBeGreaterThan(0)
    await expect.poll(() => cell(lead, "west-district").getAttribute("data-state"), wait).toBe("submitted")

    // West's task page and inbox, on their streams, hear of the approval too.
    const west = await people.signIn("west")
    const inbox = await west.context().newPage()
    const followed = [await watch(west), await watch(inbox)]
    await west.goto(`${server.url}/tasks/tour-2026/west-district/brochures`)
    await inbox.goto(`${server.url}/inbox`)
    const westTask = (page: Page) => page.locator('[data-task="tour-2026/west-district/brochures"]').first()
    for (const page of [west, inbox])
      await expect.poll(() => westTask(page).getAttribute("data-status"), wait).toBe("submitted")
    await expect.poll(() => followed.every((w) => w.streams.some((s) => s.chunks.length > 0)), wait).toBe(true)

    // The coordinator approves west's report from another profile; this one hears of it by polling.
    const other = await people.signIn("lead")
    await post(other, `/reports/${report}/approve`)
    await expect.poll(() => cell(lead, "west-district").getAttribute("data-state"), wait).toBe("done")
    for (const page of [west, inbox])
      await expect.poll(() => westTask(page).getAttribute("data-status"), wait).toBe("approved")
    expect(followed.flatMap((w) => w.polls)).toEqual([])
    expect(await badge(lead).getAttribute("data-live")).toBe("polling")
    // It kept trying the stream, sooner than every 30 s.
    expect(watched.streams.length).toBeGreaterThanOrEqual(2)
    expect(people.errors).toEqual([])
  }, 180_000)

  it("holds at most two streams in a tab, and polls for a third campaign", async () => {
    // A third campaign for the same units, deployed and started by the coordinator.
    const lead = await people.signIn("lead")
    await post(lead, "/campaigns", {
      ...tour,
      key: "third-2026",
      title: "2026年第三次专项行动",
      titleEn: "2026 third drive",
    })
    await post(lead, "/campaigns/third-2026/start")
    const assigned = async () =>
      (await lead.evaluate(() =>
        fetch("/api/v1/tasks?campaign=third-2026&unit=west-district").then((r) => r.json()),
      )) as { items: unknown[] }
    await expect.poll(async () => (await assigned()).items.length, wait).toBeGreaterThan(0)
    const west = await people.signIn("west")
    const watched = await watch(west)
    await west.goto(`${server.url}/history`)
    await west.getByRole("heading", { name: "我的报送记录" }).waitFor(wait)
    // Only the history's own requests count: the inbox west landed on may have begun streams of its
    // own before the history replaced it, and a busy machine reports their cancellation late, or not.
    const { frameTree } = await watched.cdp.send("Page.getFrameTree")
    const kept = () => watched.streams.filter((s) => s.loader === frameTree.frame.loaderId)
    // Two streams open, the third campaign read by polling.
    await expect.poll(() => watched.polls.length, wait).toBeGreaterThan(0)
    await expect.poll(() => kept().filter((s) => s.ended === null && s.chunks.length > 0).length, wait).toBe(2)
    // The third waits for a slot rather than open a request that would queue in the browser.
    expect(kept()).toHaveLength(2)
    expect(new Set(watched.polls.map((url) => new URL(url).pathname.split("/")[4])).size).toBe(1)
    expect(people.errors).toEqual([])
  }, 120_000)
})
