/**
 * Every suite that drives Chromium, in one test file: one worker runs them one after another
 * while the other runs the rest of the repository's files. A browser, its server and the
 * server's worker per suite; two at once on two cores starve each other's waits, and a file
 * of their own per suite would either run beside another browser or wait until every other
 * project had finished, leaving a core idle for the six minutes the suites take.
 * `vitest run apps/web/test/browser-suites.test.ts -t <suite title>` runs one.
 */
import "./flow.browser.ts"
import "./live.browser.ts"
import "./axe.browser.ts"
import "./delivery.browser.ts"
import "./behind.browser.ts"
import "./review.browser.ts"
import "./nudge.browser.ts"
import "./excel.browser.ts"
import "./evidence.browser.ts"
import "./change.browser.ts"
import "./notice-settings.browser.ts"
