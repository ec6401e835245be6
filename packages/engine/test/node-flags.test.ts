/**
 * The long-running programs' node flags are written in three places that cannot import one
 * another: the engine (the CLI's serve and the benchmark use it), the root package.json's
 * `serve` and `worker` scripts, and the image's entry point. They must say the same.
 */
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { programNodeFlags } from "../src/Process.ts"

const root = new URL("../../../", import.meta.url)

describe("the programs' node flags", () => {
  it("are the engine's in the root package.json's scripts and in the image's entry point", async () => {
    const flags = programNodeFlags.join(" ")
    expect(flags).toMatch(/^--max-semi-space-size=\d+$/)
    const { scripts } = JSON.parse(await readFile(new URL("package.json", root), "utf8"))
    expect(scripts.serve).toContain(`node ${flags} apps/cli/bin/server.mjs`)
    expect(scripts.worker).toBe(`node ${flags} apps/cli/bin/worker.mjs`)
    const entrypoint = await readFile(new URL("infra/entrypoint.sh", root), "utf8")
    expect(entrypoint).toContain(`node_flags=${flags}\n`)
    expect(entrypoint).toContain('exec node $node_flags "$app/apps/cli/dist/server.mjs"')
    expect(entrypoint).toContain('exec node $node_flags "$app/apps/cli/dist/worker.mjs"')
  })
})
