/**
 * The web UI's files, served by the API server at `/` with a single-page-app
 * fallback; the API's own 404s stay problems; without a built UI, `/` says how
 * to build it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/Server.ts"
import { newKeyFile, type Seeded } from "./fixture.ts"
import { call, isProblem, startTestServer } from "./harness.ts"

const bigScript = `export const words = ${JSON.stringify("联动".repeat(4000))}\n`

/** A raw GET (fetch would decompress): status, headers and the bytes as sent. */
const rawGet = (url: string, headers: Record<string, string>) =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on("error", reject)
    req.end()
  })

describe("the web UI", () => {
  let server: RunningServer
  let bare: RunningServer
  let seeded: Seeded
  const { store, close } = (() => {
    let opened: Awaited<ReturnType<typeof import("@liandong/store").openStore>> | undefined
    return {
      store: async () => {
        const { openStore, migrateToLatest } = await import("@liandong/store")
        opened = await openStore({ dataDir: "memory://" })
        await migrateToLatest(opened.db)
        return opened
      },
      close: () => opened?.close(),
    }
  })()

  beforeAll(async () => {
    const dist = mkdtempSync(join(tmpdir(), "liandong-web-"))
    mkdirSync(join(dist, "assets"))
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>联动</title><div id=root></div>")
    writeFileSync(join(dist, "assets", "app-1234.js"), "console.log('ui')")
    // A large script with its precompressed copies, as the build writes them, and its source map.
    writeFileSync(join(dist, "assets", "big-1234.js"), bigScript)
    writeFileSync(join(dist, "assets", "big-1234.js.br"), brotliCompressSync(bigScript))
    writeFileSync(join(dist, "assets", "big-1234.js.gz"), gzipSync(bigScript))
    writeFileSync(join(dist, "assets", "big-1234.js.map"), '{"version":3,"sources":["secret.ts"]}')
    const opened = await store()
    seeded = { keyFile: newKeyFile(), tokens: {}, reports: {}, attachments: {} }
    server = await startTestServer(opened, seeded.keyFile, { webDist: dist })
    bare = await startTestServer(opened, seeded.keyFile, { webDist: null })
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    await bare?.close()
    await close()
  })

  it("sends text assets compressed as the client accepts, and keeps source maps private", async () => {
    const url = `${server.url}/assets/big-1234.js`
    const br = await rawGet(url, { "accept-encoding": "gzip, deflate, br" })
    expect(br.headers["content-encoding"]).toBe("br")
    expect(br.headers["content-type"]).toMatch(/^text\/javascript/)
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(brotliDecompressSync(br.body).toString()).toBe(bigScript)
    const gz = await rawGet(url, { "accept-encoding": "gzip" })
    expect(gz.headers["content-encoding"]).toBe("gzip")
    expect(gunzipSync(gz.body).toString()).toBe(bigScript)
    // br refused by q=0: gzip instead; nothing accepted: as it is.
    expect((await rawGet(url, { "accept-encoding": "br;q=0, gzip" })).headers["content-encoding"]).toBe("gzip")
    const plain = await rawGet(url, {})
    expect(plain.headers["content-encoding"]).toBeUndefined()
    expect(plain.body.toString()).toBe(bigScript)
    // The copies are not files of their own, and the source map is not served.
    expect((await rawGet(`${url}.br`, {})).status).toBe(404)
    expect((await rawGet(`${url}.map`, {})).status).toBe(404)
  })

  it("serves its files, falls back to index.html for its routes, and keeps the API's 404s", async () => {
    const index = await call(server.url, "GET", "/")
    expect(index.text).toContain("<div id=root>")
    expect((await call(server.url, "GET", "/campaigns/matrix-main/status")).text).toContain("<div id=root>")
    const asset = await fetch(`${server.url}/assets/app-1234.js`)
    expect(asset.headers.get("content-type")).toMatch(/javascript/)
    expect(asset.headers.get("cache-control")).toContain("immutable")
    const missing = await call(server.url, "GET", "/assets/missing.js")
    expect(missing.status).toBe(404)
    expect(isProblem(missing)).toBe(true)
    const api = await call(server.url, "GET", "/api/v1/nothing-here")
    expect(api.status).toBe(404)
    expect(api.json.what).toBe("route")
    const outside = await call(server.url, "GET", "/%2e%2e/%2e%2e/package.json")
    expect(outside.text).not.toContain('"name"')
  })

  it("explains how to build it when it is not built", async () => {
    const page = await call(bare.url, "GET", "/")
    expect(page.status).toBe(200)
    expect(page.text).toContain("pnpm --filter @liandong/web build")
    expect((await call(bare.url, "GET", "/docs")).status).toBe(200)
  })
})
