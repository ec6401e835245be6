/**
 * The phone budget, measured: every main screen loaded cold (a fresh profile, nothing
 * cached) by its role in Chromium throttled as a phone, a few times each; prints per screen
 * the median time until its main content is rendered and the bytes transferred by then.
 *
 *   pnpm --filter @liandong/web measure [--runs 5] [--profile fast4g|slow4g] [--only dashboard,inbox] [--waterfall]
 *
 * A measurement, not a test: the numbers depend on the machine. The server is the browser
 * tests' (the tour seeded into an embedded database, served with the fresh build).
 */
import { parseArgs } from "node:util"
import type { Browser, Page } from "playwright-core"
import { buildWeb } from "./build.ts"
import { launchBrowser } from "./test/browser.ts"
import { type Person, screens } from "./test/screens.ts"
import { tourPassword } from "./test/seed.ts"
import { serveTour } from "./test/serve.ts"

/** Chrome DevTools' network presets (latency per request; bytes per second). */
const profiles = {
  // "Slow 4G", formerly "Fast 3G", Lighthouse's mobile default: 562.5 ms, 1.44 Mbit/s down, 675 kbit/s up.
  slow4g: {
    latency: 562.5,
    downloadThroughput: (1.6 * 0.9 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 0.9 * 1024) / 8,
  },
  // "Fast 4G": 165 ms, 8.1 Mbit/s down, 1.35 Mbit/s up.
  fast4g: {
    latency: 165,
    downloadThroughput: (9 * 0.9 * 1024 * 1024) / 8,
    uploadThroughput: (1.5 * 0.9 * 1024 * 1024) / 8,
  },
} as const

const { values } = parseArgs({
  // pnpm passes a leading "--" through
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    runs: { type: "string", default: "5" },
    profile: { type: "string", default: "fast4g" },
    only: { type: "string" },
    waterfall: { type: "boolean", default: false },
  },
})
const runs = Number(values.runs)
const profile = profiles[values.profile as keyof typeof profiles]
if (profile === undefined) throw new Error(`--profile is one of ${Object.keys(profiles).join(", ")}`)

const phone = { width: 390, height: 844 }
const cpuSlowdown = 4

/** Signs the person in once, unthrottled, and returns the profile's cookies for cold loads. */
const sessionOf = async (browser: Browser, url: string, person: Exclude<Person, null>) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(url)
  await page.getByLabel("登录名").fill(person)
  await page.getByLabel("密码", { exact: true }).fill(tourPassword)
  await page.getByRole("button", { name: "登录" }).click()
  await page.getByTestId("who").waitFor({ timeout: 30_000 })
  const state = await context.storageState()
  await context.close()
  return state
}

/** One cold load: milliseconds from navigation to the ready selector, and bytes transferred by then. */
const load = async (
  browser: Browser,
  url: string,
  ready: string,
  storageState: Awaited<ReturnType<typeof sessionOf>> | undefined,
) => {
  const context = await browser.newContext({
    viewport: phone,
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    ...(storageState ? { storageState } : {}),
  })
  const page: Page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send("Network.enable")
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true })
  await cdp.send("Network.emulateNetworkConditions", { offline: false, ...profile })
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpuSlowdown })
  let bytes = 0
  let requests = 0
  let counting = true
  // Each request's address and its start and end on the browser's monotonic clock (seconds).
  const started = new Map<string, { url: string; start: number }>()
  const finished: Array<{ url: string; start: number; end: number }> = []
  cdp.on("Network.requestWillBeSent", (event) => {
    started.set(event.requestId, { url: event.request.url, start: event.timestamp })
  })
  cdp.on("Network.loadingFinished", (event) => {
    if (!counting) return
    bytes += event.encodedDataLength
    requests += 1
    const request = started.get(event.requestId)
    if (request) finished.push({ ...request, end: event.timestamp })
  })
  // The moment the selector first matches, in the page's own clock (from navigation start).
  await page.addInitScript((selector) => {
    const w = window as unknown as { __ready?: number }
    const check = () => {
      if (w.__ready === undefined && document.querySelector(selector) !== null) w.__ready = performance.now()
    }
    new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true })
  }, ready)
  await page.goto(url)
  const handle = await page.waitForFunction(() => (window as unknown as { __ready?: number }).__ready, undefined, {
    timeout: 60_000,
    polling: 50,
  })
  counting = false
  const ms = (await handle.jsonValue()) as number
  await context.close()
  const origin = Math.min(...finished.map((r) => r.start))
  const waterfall = finished
    .sort((a, b) => a.start - b.start)
    .map((r) => ({
      url: new URL(r.url).pathname + new URL(r.url).search,
      start: (r.start - origin) * 1000,
      end: (r.end - origin) * 1000,
    }))
  return { ms, bytes, requests, waterfall }
}

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

await buildWeb()
const [server, browser] = await Promise.all([serveTour(), launchBrowser()])
try {
  const sessions = new Map<Person, Awaited<ReturnType<typeof sessionOf>> | undefined>([[null, undefined]])
  for (const person of ["lead", "west", "audit"] as const)
    sessions.set(person, await sessionOf(browser, server.url, person))
  console.log(
    `profile ${values.profile}: latency ${profile.latency} ms, down ${((profile.downloadThroughput * 8) / 1024).toFixed(0)} kbit/s, ` +
      `up ${((profile.uploadThroughput * 8) / 1024).toFixed(0)} kbit/s; CPU ×${cpuSlowdown}; ${phone.width}×${phone.height}; ` +
      `median of ${runs} cold loads`,
  )
  console.log(
    [
      "screen".padEnd(12),
      "ready ms".padStart(9),
      "min–max".padStart(12),
      "KB".padStart(7),
      "requests".padStart(9),
    ].join(" "),
  )
  const only = values.only?.split(",")
  for (const screen of screens.filter((s) => only === undefined || only.includes(s.name))) {
    const results = []
    for (let i = 0; i < runs; i++)
      results.push(await load(browser, `${server.url}${screen.path}`, screen.ready, sessions.get(screen.person)))
    const times = results.map((r) => r.ms)
    console.log(
      [
        screen.name.padEnd(12),
        median(times).toFixed(0).padStart(9),
        `${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}`.padStart(12),
        (median(results.map((r) => r.bytes)) / 1024).toFixed(1).padStart(7),
        String(median(results.map((r) => r.requests))).padStart(9),
      ].join(" "),
    )
    // The requests of the run closest to the median, from the first request's start (ms).
    if (values.waterfall) {
      const typical = results.reduce((a, b) =>
        Math.abs(b.ms - median(times)) < Math.abs(a.ms - median(times)) ? b : a,
      )
      for (const r of typical.waterfall)
        console.log(`  ${r.start.toFixed(0).padStart(6)} → ${r.end.toFixed(0).padStart(6)}  ${r.url}`)
    }
  }
} finally {
  await browser.close()
  await server.close()
}
