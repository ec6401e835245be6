/**
 * Single sign-on against a real OpenID Connect provider (panva's oidc-provider, on a random
 * port, with its development login and consent screens): Chromium starts at the sign-in
 * route, signs in at the provider, consents, and lands on the web UI with a session cookie
 * that stands for the mapped person. Refused: a provider account that names nobody here, a
 * callback whose state is not the one this browser was given, a made-up or replayed code,
 * a sign-in cancelled at the provider.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { type AddressInfo, createServer as createNetServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { addPrincipal } from "@liandong/engine/commands"
import { authenticateSession, operator } from "@liandong/engine/runtime"
import { migrateToLatest, openStore, type Store } from "@liandong/store"
import { ManagedRuntime } from "effect"
import Provider from "oidc-provider"
import { type Browser, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { oidcSettingsFromEnv } from "../src/Oidc.ts"
import type { RunningServer } from "../src/Server.ts"
import { engineServices, newKeyFile, seededAt } from "./fixture.ts"
import { startTestServer } from "./harness.ts"

const chromiumPath = process.env.LIANDONG_CHROMIUM ?? "/usr/bin/chromium"
const hasBrowser = existsSync(chromiumPath) || process.env.CI !== undefined

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createNetServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })

const isCallback = (url: URL) => url.pathname === "/auth/oidc/callback"

const clientSecret = "a-client-secret-long-enough-for-hs256-0123456789"

describe.skipIf(!hasBrowser)("single sign-on through an OpenID Connect provider", () => {
  let store: Store
  let keyFile: string
  let idp: Server
  let issuer: string
  let server: RunningServer
  let browser: Browser
  let runtime: ManagedRuntime.ManagedRuntime<any, any>
  const saved = { ...process.env }

  beforeAll(async () => {
    store = await openStore({ dataDir: "memory://" })
    await migrateToLatest(store.db)
    keyFile = newKeyFile()
    runtime = ManagedRuntime.make(engineServices(store, keyFile, seededAt))
    await runtime.runPromise(addPrincipal({ id: "shen", name: "沈审计", role: "auditor" }, operator))

    const liandongPort = await freePort()
    const base = `http://127.0.0.1:${liandongPort}`
    idp = createServer()
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve))
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: "liandong",
          client_secret: clientSecret,
          redirect_uris: [`${base}/auth/oidc/callback`],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
      // The provider's account id is what was typed at its login screen.
      findAccount: (_ctx, id) => ({
        accountId: id,
        claims: () => ({ sub: `sub-${id}`, preferred_username: id, email: `${id}@example.cn`, email_verified: true }),
      }),
      claims: { openid: ["sub"], profile: ["preferred_username"], email: ["email", "email_verified"] },
      cookies: { keys: ["test-cookie-key"] },
    })
    idp.on("request", provider.callback())

    const dist = mkdtempSync(join(tmpdir(), "liandong-web-"))
    writeFileSync(
      join(dist, "index.html"),
      "<!doctype html><meta charset=utf-8><title>联动</title><div id=root>收件箱 Inbox</div>",
    )
    Object.assign(process.env, {
      LIANDONG_OIDC_ISSUER: issuer,
      LIANDONG_OIDC_CLIENT_ID: "liandong",
      LIANDONG_OIDC_CLIENT_SECRET: clientSecret,
      LIANDONG_PUBLIC_URL: base,
    })
    server = await startTestServer(store, keyFile, { port: liandongPort, webDist: dist })
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
      ],
    })
  }, 120_000)

  afterAll(async () => {
    process.env = saved
    await browser?.close()
    await server?.close()
    await new Promise((resolve) => idp?.close(resolve))
    await runtime?.dispose()
    await store?.close()
  })

  /**
   * Goes through the provider's login and consent as `login` until the browser is back here;
   * the page, the callback URL it was sent to and the sign-in's pending cookie.
   */
  const signInAs = async (login: string) => {
    const context = await browser.newContext()
    const page = await context.newPage()
    let callback: string | undefined
    page.on("request", (request) => {
      if (isCallback(new URL(request.url()))) callback = request.url()
    })
    await page.goto(`${server.url}/auth/oidc/start`)
    const pending = (await context.cookies(server.url)).find((c) => c.name === "liandong_oidc")?.value
    await page.fill('input[name="login"]', login)
    await page.fill('input[name="password"]', "whatever")
    await page.click('button[type="submit"]')
    await page.waitForSelector('input[name="prompt"][value="consent"]', { state: "attached" })
    await Promise.all([
      page.waitForURL((url) => url.origin === server.url && (url.pathname === "/" || isCallback(url))),
      page.click('button[type="submit"]'),
    ])
    await page.waitForLoadState("load")
    return { context, page, callback: callback as string, pending: pending as string }
  }

  it("says it is on, and names the redirect URI to register", async () => {
    const status = await fetch(`${server.url}/auth/oidc`)
    expect(await status.json()).toEqual({ enabled: true })
  })

  it("lands the mapped person on the inbox with a session cookie that stands for them", async () => {
    const { context, page } = await signInAs("shen")
    expect(await page.textContent("#root")).toContain("收件箱")
    const cookies = await context.cookies(server.url)
    const session = cookies.find((c) => c.name === "liandong_session")
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" })
    expect(cookies.find((c) => c.name === "liandong_oidc")).toBeUndefined()
    const authenticated = await runtime.runPromise(authenticateSession(session?.value))
    expect(authenticated.actor).toEqual({ kind: "principal", id: "shen", role: "auditor", unit: null })
    await context.close()
  })

  it("refuses a provider account that names nobody here, with no session", async () => {
    const { context, page } = await signInAs("nobody")
    expect(new URL(page.url()).pathname).toBe("/auth/oidc/callback")
    expect(await page.textContent("body")).toContain("此账号在本系统中没有可用的人员")
    expect(await page.textContent("body")).toContain("no person here")
    expect((await context.cookies(server.url)).find((c) => c.name === "liandong_session")).toBeUndefined()
    await context.close()
  })

  it("refuses a callback with another state, without the browser's cookie, with a made-up or replayed code, or cancelled", async () => {
    const started = await fetch(`${server.url}/auth/oidc/start`, { redirect: "manual" })
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0] as string
    expect(cookie).toMatch(/^liandong_oidc=/u)
    const authorize = new URL(started.headers.get("location") as string)
    const callbackFor = (state: string, code: string) =>
      new URL(`/auth/oidc/callback?${new URLSearchParams({ code, state, iss: issuer })}`, server.url)
    const get = async (target: URL, headers: Record<string, string> = { cookie }) => {
      const answer = await fetch(target, { redirect: "manual", headers })
      return { status: answer.status, text: await answer.text(), setCookie: answer.headers.get("set-cookie") ?? "" }
    }
    const state = authorize.searchParams.get("state") as string

    const noCookie = await get(callbackFor(state, "some-code"), {})
    expect(noCookie.status).toBe(400)
    expect(noCookie.text).toContain("登录请求已过期或不完整")
    const otherState = await get(callbackFor("someone-elses-state", "some-code"))
    expect(otherState.status).toBe(400)
    expect(otherState.text).toContain("登录请求已过期或不完整")
    const madeUp = await get(callbackFor(state, "a-code-the-provider-never-issued"))
    expect(madeUp.status).toBe(400)
    expect(madeUp.text).toContain("统一身份认证服务的应答无效")
    const cancelled = await get(
      new URL(`/auth/oidc/callback?${new URLSearchParams({ error: "access_denied", state, iss: issuer })}`, server.url),
    )
    expect(cancelled.status).toBe(400)
    expect(cancelled.text).toContain("登录已取消")
    for (const answer of [noCookie, otherState, madeUp, cancelled])
      expect(answer.setCookie).not.toContain("liandong_session=")

    // A code already used (by the browser that signed in) opens no second session.
    const signedIn = await signInAs("shen")
    expect(new URL(signedIn.page.url()).pathname).toBe("/")
    const replayed = await get(new URL(signedIn.callback), { cookie: `liandong_oidc=${signedIn.pending}` })
    expect(replayed.status).toBe(400)
    expect(replayed.setCookie).not.toContain("liandong_session=")
    await signedIn.context.close()
  })

  it("names a missing setting in both languages, and is off without an issuer", () => {
    expect(oidcSettingsFromEnv({})).toBeUndefined()
    expect(() => oidcSettingsFromEnv({ LIANDONG_OIDC_ISSUER: issuer })).toThrow(/LIANDONG_OIDC_CLIENT_ID/u)
    expect(() =>
      oidcSettingsFromEnv({
        LIANDONG_OIDC_ISSUER: issuer,
        LIANDONG_OIDC_CLIENT_ID: "x",
        LIANDONG_OIDC_CLIENT_SECRET: "s",
        LIANDONG_OIDC_CLIENT_SECRET_FILE: "/nope",
        LIANDONG_PUBLIC_URL: "http://127.0.0.1",
      }),
    ).toThrow(/只能设置其一.*not both/u)
    expect(() =>
      oidcSettingsFromEnv({
        LIANDONG_OIDC_ISSUER: "ftp://x",
        LIANDONG_OIDC_CLIENT_ID: "x",
        LIANDONG_OIDC_CLIENT_SECRET: "s",
        LIANDONG_PUBLIC_URL: "http://127.0.0.1",
      }),
    ).toThrow(/LIANDONG_OIDC_ISSUER: 须为 http\(s\):\/\/ 地址 \/ must be an http\(s\):\/\/ URL/u)
  })
})
