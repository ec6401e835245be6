/**
 * Builds the web UI into apps/web/dist with Vite's API: used by `pnpm build:web`,
 * by the browser tests' global setup and by servers that find no build.
 */
import { existsSync } from "node:fs"
import { readdir, readFile, writeFile } from "node:fs/promises"
import { extname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { brotliCompress, constants, gzip } from "node:zlib"
import { build } from "vite"

/** Where the built UI goes. */
export const webDist = join(import.meta.dirname, "dist")

const brotli = promisify(brotliCompress)
const gzipped = promisify(gzip)

/** Text the server sends compressed; images and fonts are compressed already. */
const compressible = new Set([".js", ".css", ".html", ".svg", ".json", ".txt", ".webmanifest"])

/**
 * Writes `x.br` and `x.gz` beside every text asset of 1 KB or more, once at build time at the
 * highest levels, so the server sends them without compressing anything per request.
 */
export const precompress = async (folder: string): Promise<void> => {
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !compressible.has(extname(entry.name))) continue
    const path = join(entry.parentPath, entry.name)
    const content = await readFile(path)
    if (content.length < 1024) continue
    const [br, gz] = await Promise.all([
      brotli(content, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
      }),
      gzipped(content, { level: 9 }),
    ])
    await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gz)])
  }
}

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
  await precompress(webDist)
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
