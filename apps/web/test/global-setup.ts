/**
 * Builds the web UI once before the browser tests, so they (and a later
 * `pnpm serve`) run against exactly what would be deployed.
 */
import { buildWeb } from "../build.ts"

/** vitest global setup: build apps/web/dist. */
export default async function setup() {
  await buildWeb()
}
