import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

/** `pnpm bench` with `args`: its exit code and what it printed. Flags are read before any database is touched. */
const bench = (...args: string[]) => {
  const run = spawnSync(process.execPath, [main, ...args], { encoding: "utf8", timeout: 60_000 })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe("the benchmark's flags", () => {
  it("lists every flag on --help, in both languages", () => {
    const { code, stdout } = bench("--help")
    expect(code).toBe(0)
    expect(stdout).toContain("用法 / usage: pnpm bench")
    for (const flag of ["--units", "--pglite-units", "--concurrency", "--cli-runs", "--no-peer", "--sources", "--out"])
      expect(stdout).toContain(flag)
  })

  it("refuses an unknown flag, a missing value and a stray argument, writing nothing", () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-flags-")), "out")
    for (const [args, reason] of [
      [["--nope"], "不认识的参数 / Unknown option '--nope'"],
      [["--units"], "参数缺少取值"],
      [["extra"], "多余的参数"],
    ] as const) {
      const { code, stderr } = bench(...args, "--out", out)
      expect(code).toBe(2)
      expect(stderr).toContain("参数有误 / invalid flags")
      expect(stderr).toContain(reason)
      expect(stderr).toContain("--help")
    }
    expect(existsSync(out)).toBe(false)
  })

  it("names each bad number and why, in both languages", () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-flags-")), "out")
    const { code, stderr } = bench("--units", "5", "--workers", "1.5", "--out", out)
    expect(code).toBe(2)
    expect(stderr).toContain("--units: 须在 32 到 50000 之间 / must be 32 to 50000")
    expect(stderr).toContain("--workers: 须为整数 / must be a whole number")
    expect(existsSync(out)).toBe(false)
  })
})
