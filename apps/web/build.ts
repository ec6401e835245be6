/**
 * Builds the web UI into apps/web/dist with Vite's API: used by `pnpm build:web`,
 * by the browser tests' global setup and by servers that find no build.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { build } from "vite"

/** Where the built UI goes. */
export const webDist = join(import.meta.dirname, "dist")

/** Builds the UI (quietly unless `verbose`) and returns its folder. */
export const buildWeb = async (options: { verbose?: boolean } = {}): Promise<string> => {
  // A test runner sets NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = "production"
  try {
    await build({
      root: import.meta.dirname,
      configFile: join(import.meta.dirname, "vite.config.ts"),
      mode: "production",
      logLevel: options.verbose ? "info" : "warn",
    })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
  return webDist
}

/** Builds the UI only when no build is there yet. */
export const ensureWebBuilt = async (): Promise<string> =>
  existsSync(join(webDist, "index.html")) ? webDist : buildWeb({ verbose: true })

// `node apps/web/build.ts` builds; with `--if-missing` only when there is no build yet (`pnpm serve`).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv.includes("--if-missing")) await ensureWebBuilt()
  else await buildWeb({ verbose: true })
}
