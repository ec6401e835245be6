import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { brotliDecompressSync, gunzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { precompress } from "../build.ts"

describe("the build's precompressed assets", () => {
  it("writes brotli and gzip copies of text assets of 1 KB or more, and nothing for the rest", async () => {
    const dist = mkdtempSync(join(tmpdir(), "liandong-precompress-"))
    mkdirSync(join(dist, "assets"))
    const script = `console.log(${JSON.stringify("联动".repeat(2000))})`
    writeFileSync(join(dist, "assets", "app.js"), script)
    writeFileSync(join(dist, "assets", "tiny.css"), "body{margin:0}")
    writeFileSync(join(dist, "assets", "logo.png"), Buffer.alloc(4096, 1))
    await precompress(dist)
    const original = join(dist, "assets", "app.js")
    expect(brotliDecompressSync(readFileSync(`${original}.br`)).toString()).toBe(script)
    expect(gunzipSync(readFileSync(`${original}.gz`)).toString()).toBe(script)
    expect(readFileSync(`${original}.br`).length).toBeLessThan(script.length / 4)
    for (const skipped of ["tiny.css.br", "logo.png.br", "logo.png.gz"])
      expect(existsSync(join(dist, "assets", skipped))).toBe(false)
  })
})
