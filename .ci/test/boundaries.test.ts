/**
 * The repository's Biome configuration refuses import cycles and deep imports: a
 * small monorepo written to a temporary folder, linted with the root biome.json.
 */
import { execFile } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))
const biome = join(root, "node_modules", ".bin", "biome")

let dir: string

/** Writes `files` (path → source) under a fresh folder and returns the diagnostics Biome reports there. */
const lint = async (name: string, files: Record<string, string>) => {
  const folder = join(dir, name)
  for (const [path, source] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true })
    await writeFile(join(folder, path), source)
  }
  const result = await promisify(execFile)(biome, ["lint", "--reporter=json", "--max-diagnostics=none", name], {
    cwd: dir,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  )
  const report = JSON.parse(result.stdout) as { diagnostics: Array<{ category: string; location: { path: string } }> }
  return {
    code: result.code,
    found: report.diagnostics.map((d) => `${d.category} ${d.location.path.slice(name.length + 1)}`).sort(),
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "liandong-boundaries-"))
  const config = JSON.parse(await readFile(join(root, "biome.json"), "utf8")) as Record<string, unknown>
  delete config.$schema
  // The folder is not a git repository: no ignore file to read.
  config.vcs = { enabled: false }
  await writeFile(join(dir, "biome.json"), JSON.stringify(config))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("package boundaries", () => {
  it("an import cycle fails the lint, a type-only one too", async () => {
    const { code, found } = await lint("cycle", {
      "packages/a/src/Campaign.ts": 'import { phase } from "./Phase.ts"\nexport const campaign = () => phase\n',
      "packages/a/src/Phase.ts": 'import { campaign } from "./Campaign.ts"\nexport const phase = () => campaign\n',
      "packages/a/src/Task.ts": 'import type { Unit } from "./Unit.ts"\nexport type Task = { unit?: Unit }\n',
      "packages/a/src/Unit.ts": 'import type { Task } from "./Task.ts"\nexport type Unit = { tasks: Task[] }\n',
    })
    expect(code).not.toBe(0)
    expect(found).toEqual([
      "lint/suspicious/noImportCycles packages/a/src/Campaign.ts",
      "lint/suspicious/noImportCycles packages/a/src/Phase.ts",
      "lint/suspicious/noImportCycles packages/a/src/Task.ts",
      "lint/suspicious/noImportCycles packages/a/src/Unit.ts",
    ])
  })

  it("a deep import into another package fails the lint; its exports and its own files do not", async () => {
    const { code, found } = await lint("deep", {
      "packages/a/src/Unit.ts": "export const unit = 1\n",
      "apps/b/src/ByName.ts": 'export { unit } from "@liandong/a"\n',
      "apps/b/src/Subpath.ts": 'export { unit } from "@liandong/a/testing"\n',
      "apps/b/src/Own.ts": 'export { unit } from "./ByName.ts"\n',
      "apps/b/test/own.test.ts": 'export { unit } from "../src/ByName.ts"\n',
      "apps/b/src/IntoSrc.ts": 'export { unit } from "@liandong/a/src/Unit.ts"\n',
      "apps/b/src/Relative.ts": 'export { unit } from "../../../packages/a/src/Unit.ts"\n',
      "apps/b/test/sibling.test.ts": 'export { unit } from "../../c/src/Unit.ts"\n',
    })
    expect(code).not.toBe(0)
    expect(found).toEqual([
      "lint/style/noRestrictedImports apps/b/src/IntoSrc.ts",
      "lint/style/noRestrictedImports apps/b/src/Relative.ts",
      "lint/style/noRestrictedImports apps/b/test/sibling.test.ts",
    ])
  })
})
