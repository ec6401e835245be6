/**
 * Debian's Chromium driven by playwright-core: headless, sandbox off (tests
 * run as root), no background traffic. Playwright gives every launch a fresh
 * temporary profile (and refuses a --user-data-dir of ours) and removes it on close.
 */
import { existsSync } from "node:fs"
import { type Browser, chromium } from "playwright-core"

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
