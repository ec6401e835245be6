/**
 * Delivery in a real browser against the real server: each screen, first loaded by its
 * role, asks the API for no address twice; the sign-in screen (and a unit's inbox) does
 * not fetch the dashboard's chunk, which the dashboard does; a screen's early answers
 * (shown before the API client has decoded them) are what the client decodes; the served
 * script answers brotli when the client asks for it.
 */
import { readdirSync, readFileSync } from "node:fs"
import { request } from "node:http"
import { join } from "node:path"
import { brotliDecompressSync } from "node:zlib"
import { Api, Authentication } from "@liandong/api"
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { webDist } from "../build.ts"
import { reads } from "../src/api/Reads.ts"
import { browserAvailable, launchBrowser, signingIn } from "./browser.ts"
import { type Person, screens } from "./screens.ts"
import { tourPassword } from "./seed.ts"
import { serveTour, type TourServer } from "./serve.ts"

const wait = { timeout: 30_000 }

/** The API calls and scripts a page asks for, in order. */
const recording = (page: Page) => {
  const api: string[] = []
  const scripts: string[] = []
  page.on("request", (req) => {
    const url = new URL(req.url())
    if (url.pathname.startsWith("/api/")) api.push(`${req.method()} ${url.pathname}${url.search}`)
    else if (url.pathname.endsWith(".js")) scripts.push(url.pathname)
  })
  return { api, scripts }
}

/** The addresses asked for more than once. */
const repeated = (calls: ReadonlyArray<string>) => [...new Set(calls.filter((c, i) => calls.indexOf(c) !== i))]

describe.skipIf(!browserAvailable())("delivery: chunks by screen, no request twice, brotli", () => {
  let server: TourServer
  let browser: Browser
  let people: ReturnType<typeof signingIn>
  const signedIn = new Map<string, Page>()

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

  /** A fresh tab in the person's signed-in profile (or a fresh profile signed out), loading `path`. */
  const firstLoad = async (person: Person, path: string, ready: string) => {
    let page: Page
    if (person === null) page = await (await browser.newContext()).newPage()
    else {
      if (!signedIn.has(person)) signedIn.set(person, await people.signIn(person))
      page = await (signedIn.get(person) as Page).context().newPage()
    }
    const seen = recording(page)
    await page.goto(`${server.url}${path}`)
    await page.locator(ready).first().waitFor(wait)
    // Let the live stream's first answer arrive: it must not make a screen load its data again.
    if ((await page.locator("[data-live]").count()) > 0)
      await page.locator("[data-live]:not([data-live=connecting])").first().waitFor(wait)
    await page.waitForTimeout(1000)
    return { page, ...seen }
  }

  const dashboardChunk = /\/assets\/Dashboard-[\w-]+\.js$/

  it("asks for each API address once on the first load of every screen", async () => {
    const twice: Record<string, string[]> = {}
    for (const screen of screens) {
      const { page, api } = await firstLoad(screen.person, screen.path, screen.ready)
      expect(api.length, screen.name).toBeGreaterThan(0)
      const again = repeated(api)
      if (again.length > 0) twice[screen.name] = again
      if (screen.person === null) await page.context().close()
      else await page.close()
    }
    expect(twice).toEqual({})
    expect(people.errors).toEqual([])
  }, 240_000)

  it("asks once while signing in and landing on the inbox", async () => {
    const page = await (await browser.newContext()).newPage()
    const seen = recording(page)
    await page.goto(server.url)
    await page.getByLabel("登录名").fill("west")
    await page.getByLabel("密码", { exact: true }).fill(tourPassword)
    await page.getByRole("button", { name: "登录" }).click()
    await page.locator("main .task-list li").first().waitFor(wait)
    await page.waitForTimeout(1000)
    expect(repeated(seen.api)).toEqual([])
    await page.context().close()
  }, 120_000)

  it("loads the dashboard's chunk only for the dashboard", async () => {
    const signIn = await firstLoad(null, "/", "main form input[type=password]")
    expect(signIn.scripts.length).toBeGreaterThan(0)
    expect(signIn.scripts.filter((s) => dashboardChunk.test(s))).toEqual([])
    await signIn.page.context().close()
    const inbox = await firstLoad("west", "/inbox", "main .task-list li")
    expect(inbox.scripts.filter((s) => dashboardChunk.test(s))).toEqual([])
    await inbox.page.close()
    const dashboard = await firstLoad("lead", "/campaigns/tour-2026", "[data-testid=matrix] tbody tr")
    expect(dashboard.scripts.filter((s) => dashboardChunk.test(s))).toHaveLength(1)
    await dashboard.page.close()
  }, 120_000)

  it("shows early answers that are what the typed client decodes", async () => {
    // A screen renders the early answer's JSON until the client has decoded the same address
    // with the contract's Schemas (api/Resource.ts `first`): both must be one value.
    const cookieOf = async (name: string) => {
      const answer = await fetch(`${server.url}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, password: tourPassword }),
      })
      expect(answer.status, name).toBe(200)
      return (answer.headers.get("set-cookie") ?? "").split(";")[0] as string
    }
    type Client = HttpApiClient.ForApi<typeof Api>
    const compare = async (
      name: string,
      pairs: ReadonlyArray<readonly [url: string, call: (client: Client) => Effect.Effect<unknown, unknown>]>,
    ) => {
      const cookie = await cookieOf(name)
      // The addresses the client asks for, to check they are the ones asked for early.
      const asked: string[] = []
      const recordingFetch: typeof fetch = (input, init) => {
        asked.push(input instanceof Request ? input.url : String(input))
        return fetch(input, init)
      }
      const decoded = await Effect.runPromise(
        Effect.gen(function* () {
          const client = yield* HttpApiClient.make(Api, {
            baseUrl: server.url,
            transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("cookie", cookie)),
          })
          return yield* Effect.forEach(pairs, ([, call]) => call(client))
        }).pipe(
          Effect.provide(
            Layer.merge(
              FetchHttpClient.layer,
              HttpApiMiddleware.layerClient(Authentication, ({ next, request }) => next(request)),
            ),
          ),
          Effect.provideService(FetchHttpClient.Fetch, recordingFetch),
        ),
      )
      const sorted = (url: string) => {
        const parsed = new URL(url, server.url)
        parsed.searchParams.sort()
        return `${parsed.pathname}?${parsed.searchParams}`
      }
      expect(asked.map(sorted)).toEqual(pairs.map(([url]) => sorted(url)))
      for (const [i, [url]] of pairs.entries()) {
        const raw = await fetch(`${server.url}${url}`, { headers: { cookie } })
        expect(raw.status, url).toBe(200)
        expect(await raw.json(), url).toEqual(decoded[i])
      }
    }
    const c = "tour-2026"
    const unit = "west-district"
    const page = { limit: 500 }
    await compare("lead", [
      [reads.campaigns, (client) => client.campaigns.list({ query: page })],
      [reads.campaign(c), (client) => client.campaigns.get({ params: { campaign: c } })],
      [reads.status(c), (client) => client.campaigns.status({ params: { campaign: c } })],
      [reads.totals(c), (client) => client.campaigns.totals({ params: { campaign: c } })],
      [
        reads.reports({ campaign: c, status: "submitted" }),
        (client) => client.reports.list({ query: { ...page, campaign: c, status: "submitted" } }),
      ],
      [reads.tasks({ campaign: c }), (client) => client.tasks.list({ query: { ...page, campaign: c } })],
      [reads.tasks({ campaign: c, unit }), (client) => client.tasks.list({ query: { ...page, campaign: c, unit } })],
      [
        reads.reports({ campaign: c, unit }),
        (client) => client.reports.list({ query: { ...page, campaign: c, unit } }),
      ],
      [reads.journal(c, unit), (client) => client.audit.journal({ params: { campaign: c }, query: { ...page, unit } })],
      [reads.people, (client) => client.people.people()],
    ])
    await compare("audit", [
      [reads.verification(c), (client) => client.audit.verification({ params: { campaign: c } })],
      [reads.journal(c), (client) => client.audit.journal({ params: { campaign: c }, query: page })],
    ])
    await compare("west", [
      [reads.tasks(), (client) => client.tasks.list({ query: page })],
      [
        reads.reports({ status: "returned" }),
        (client) => client.reports.list({ query: { ...page, status: "returned" } }),
      ],
      [reads.reports({ unit }), (client) => client.reports.list({ query: { ...page, unit } })],
      [reads.tasks({ unit }), (client) => client.tasks.list({ query: { ...page, unit } })],
      [
        reads.task(c, unit, "brochures"),
        (client) => client.tasks.get({ params: { campaign: c, unit, task: "brochures" } }),
      ],
      [
        reads.reports({ campaign: c, unit, task: "brochures" }),
        (client) => client.reports.list({ query: { ...page, campaign: c, unit, task: "brochures" } }),
      ],
      [reads.notices, (client) => client.notices.list({ query: { limit: 100 } })],
      [reads.preferences, (client) => client.notices.preferences()],
    ])
  }, 120_000)

  it("serves the entry script as brotli when asked", async () => {
    const html = readFileSync(join(webDist, "index.html"), "utf8")
    const entry = /<script type="module" crossorigin src="([^"]+)"/.exec(html)?.[1]
    expect(entry).toBeDefined()
    expect(readdirSync(join(webDist, "assets")).some((f) => dashboardChunk.test(`/assets/${f}`))).toBe(true)
    const answer = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = request(`${server.url}${entry}`, { headers: { "accept-encoding": "br, gzip" } }, (res) => {
        const chunks: Buffer[] = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
        res.on("error", reject)
      })
      req.on("error", reject)
      req.end()
    })
    expect(answer.headers["content-encoding"]).toBe("br")
    expect(brotliDecompressSync(answer.body).equals(readFileSync(join(webDist, entry as string)))).toBe(true)
  }, 60_000)
})
