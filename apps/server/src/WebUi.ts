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

/** The answer for a GET of `path` outside the API, or undefined when the UI has no such thing. */
export const webUiResponse = (dist: string | null, path: string) =>
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
    if (isFile(file) && !decoded.endsWith("/index.html")) {
      const immutable = decoded.startsWith("/assets/")
      return Effect.map(
        HttpServerResponse.file(file, {
          headers: { "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache" },
        }),
        (response) => response as HttpServerResponse.HttpServerResponse | undefined,
      )
    }
    // A missing asset (a path with an extension) is a 404; any other path is a route of the UI.
    if (extname(decoded) !== "" && !decoded.endsWith(".html")) return Effect.succeed(undefined)
    const index = join(dist, "index.html")
    if (!isFile(index)) return Effect.succeed(undefined)
    return Effect.map(
      HttpServerResponse.file(index, { headers: { "cache-control": "no-cache" } }),
      (response) => response as HttpServerResponse.HttpServerResponse | undefined,
    )
  })
