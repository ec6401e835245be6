/**
 * Debian's Chromium driven by playwright-core: headless, sandbox off (tests
 * run as root), no background traffic. Playwright gives every launch a fresh
 * temporary profile (and refuses a --user-data-dir of ours) and removes it on close.
 */
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import { desktop } from "./shots.ts"

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const chromiumPath = process.env.LIANDONG_CHROMIUM ?? "/usr/bin/chromium"

/** True when the browser tests can run here; in CI they must, so a missing browser fails there. */
export const browserAvailable = (): boolean => {
  if (existsSync(chromiumPath)) return true
  if (process.env.CI) throw new Error(`Chromium is missing at ${chromiumPath}; .ci/run installs Debian's chromium`)
  return false
}

/** Launches Chromium. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  })

const axePath = createRequire(import.meta.url).resolve("axe-core")

interface AxeResult {
  readonly violations: ReadonlyArray<{
    readonly id: string
    readonly impact: string | null
    readonly nodes: ReadonlyArray<{ readonly target: ReadonlyArray<unknown> }>
  }>
}

/** The moderate, serious and critical axe violations inside `include` (CSS selectors), as lines. */
export const axeViolations = async (page: Page, include: ReadonlyArray<string>): Promise<string[]> => {
  if ((await page.evaluate(() => "axe" in window)) === false) await page.addScriptTag({ path: axePath })
  const result = (await page.evaluate(
    (include) =>
      (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } }).axe.run(
        { include: include.map((selector) => [selector]) },
        { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } },
      ),
    [...include],
  )) as AxeResult
  return result.violations
    .filter((v) => v.impact === "moderate" || v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`)
}

/** A write through the API as the page's signed-in person (the session cookie and its CSRF token); throws unless 2xx. */
export const postAs = (page: Page, path: string, body?: unknown) =>
  page.evaluate(
    async ({ path, body }) => {
      const session = (await (await fetch("/api/v1/session")).json()) as { csrfToken: string }
      const answer = await fetch(`/api/v1${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-csrf-token": session.csrfToken,
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify(body ?? {}),
      })
      if (!answer.ok) throw new Error(`${path}: ${answer.status} ${await answer.text()}`)
      return (await answer.json()) as Record<string, unknown>
    },
    { path, body },
  )

/**
 * People signing in to the server at `url()` with `password`, each in a fresh desktop profile
 * in Chinese (Beijing time); the errors their pages throw, and a close for every profile.
 */
export const signingIn = (browser: () => Browser, url: () => string, password: string) => {
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  const signIn = async (name: string): Promise<Page> => {
    const context = await browser().newContext({ viewport: desktop, locale: "zh-CN", timezoneId: "Asia/Shanghai" })
    contexts.push(context)
    const page = await context.newPage()
    page.on("pageerror", (error) => errors.push(error.message))
    await page.goto(url())
    await page.getByLabel("登录名").fill(name)
    await page.getByLabel("密码", { exact: true }).fill(password)
    await page.getByRole("button", { name: "登录" }).click()
    await page.getByTestId("who").waitFor({ timeout: 30_000 })
    return page
  }
  const close = async () => {
    for (const context of contexts) await context.close()
  }
  return { signIn, errors, close }
}
