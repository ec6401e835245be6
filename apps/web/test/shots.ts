/**
 * Screenshots of the main screens, desktop and phone width, saved to
 * test-results/web/ at the repository root as the run's artifacts.
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import type { Page } from "playwright-core"

/** Where the screenshots go. */
export const shotsDir = join(import.meta.dirname, "..", "..", "..", "test-results", "web")

/** The two widths every main screen is checked at. */
export const desktop = { width: 1280, height: 900 }
export const phone = { width: 390, height: 844 }

/** Saves `<name>-desktop.png` and `<name>-phone.png` of the page as it is now. */
export const shoot = async (page: Page, name: string): Promise<void> => {
  mkdirSync(shotsDir, { recursive: true })
  const before = page.viewportSize() ?? desktop
  await page.setViewportSize(desktop)
  await page.screenshot({ path: join(shotsDir, `${name}-desktop.png`), fullPage: true })
  await page.setViewportSize(phone)
  await page.screenshot({ path: join(shotsDir, `${name}-phone.png`), fullPage: true })
  await page.setViewportSize(before)
}
