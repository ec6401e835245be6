/**
 * The web UI's files, served at `/` with a single-page-app fallback: a GET
 * for a path that is not a file answers index.html, so the UI's own routes
 * work on reload. Without a built UI, `/` explains how to build it.
 */
import { existsSync, statSync } from "node:fs"
import { extname, join, normalize, resolve, sep } from "node:path"
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"

/** The UI's folder: LIANDONG_WEB_DIST, else apps/web/dist of the repository when it exists. */
export const webDistFromEnv = (env: NodeJS.ProcessEnv = process.env): string | null => {
  if (env.LIANDONG_WEB_DIST) return resolve(env.LIANDONG_WEB_DIST)
  const inRepo = resolve(import.meta.dirname, "..", "..", "web", "dist")
  return existsSync(join(inRepo, "index.html")) ? inRepo : null
}

const notBuilt = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>联动 Liandong</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.6">
<h1>联动 Liandong</h1>
<p>网页界面尚未构建。在仓库根目录运行 <code>pnpm --filter @liandong/web build</code>,然后重启服务;
或设置 <code>LIANDONG_WEB_DIST</code> 指向已构建的目录。</p>
<p>The web UI is not built. Run <code>pnpm --filter @liandong/web build</code> at the repository root and restart,
or point <code>LIANDONG_WEB_DIST</code> at a built folder.</p>
<p>API: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a></p>
</body></html>`

const isFile = (path: string) => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

const contentTypes: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
}

/** The precompressed copy the client accepts (brotli first), if the build wrote one. */
const compressedCopy = (file: string, acceptEncoding: string) => {
  const accepts = (coding: string) =>
    acceptEncoding
      .split(",")
      .map((part) => part.trim().split(";"))
      .some(([name, ...params]) => name === coding && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p)))
  for (const [coding, suffix] of [
    ["br", ".br"],
    ["gzip", ".gz"],
  ] as const)
    if (accepts(coding) && isFile(`${file}${suffix}`)) return { coding, path: `${file}${suffix}` }
  return undefined
}

/** Whether source maps are served: off unless LIANDONG_WEB_SOURCE_MAPS=1 (they show the whole source). */
const sourceMapsServed = () => process.env.LIANDONG_WEB_SOURCE_MAPS === "1"

/** A file of the UI, compressed when the client accepts it and the build wrote a copy. */
const fileResponse = (file: string, cacheControl: string, acceptEncoding: string) => {
  const type = contentTypes[extname(file)]
  const copy = type === undefined ? undefined : compressedCopy(file, acceptEncoding)
  const headers: Record<string, string> = { "cache-control": cacheControl }
  if (type !== undefined) headers.vary = "accept-encoding"
  if (copy !== undefined) headers["content-encoding"] = copy.coding
  return Effect.map(
    HttpServerResponse.file(copy?.path ?? file, { headers, ...(type === undefined ? {} : { contentType: type }) }),
    (response) => response as HttpServerResponse.HttpServerResponse | undefined,
  )
}

/**
 * The answer for a GET of `path` outside the API, or undefined when the UI has no such thing.
 * Text assets go out precompressed (brotli or gzip, as `acceptEncoding` allows).
 */
export const webUiResponse = (dist: string | null, path: string, acceptEncoding = "") =>
  Effect.suspend(() => {
    if (dist === null) {
      return Effect.succeed(path === "/" || path === "/index.html" ? HttpServerResponse.html(notBuilt) : undefined)
    }
    let decoded: string
    try {
      decoded = decodeURIComponent(path)
    } catch {
      return Effect.succeed(undefined)
    }
    const file = normalize(join(dist, decoded))
    if (file !== dist && !file.startsWith(dist + sep)) return Effect.succeed(undefined)
    // The compressed copies are served only for their originals, never asked for by name.
    if (decoded.endsWith(".br") || decoded.endsWith(".gz")) return Effect.succeed(undefined)
    if (decoded.endsWith(".map") && !sourceMapsServed()) return Effect.succeed(undefined)
    if (isFile(file) && !decoded.endsWith("/index.html")) {
      const immutable = decoded.startsWith("/assets/")
      return fileResponse(file, immutable ? "public, max-age=31536000, immutable" : "no-cache", acceptEncoding)
    }
    // A missing asset (a path with an extension) is a 404; any other path is a route of the UI.
    if (extname(decoded) !== "" && !decoded.endsWith(".html")) return Effect.succeed(undefined)
    const index = join(dist, "index.html")
    if (!isFile(index)) return Effect.succeed(undefined)
    return fileResponse(index, "no-cache", acceptEncoding)
  })
