import { configDefaults, defineConfig } from "vitest/config"
import { BaseSequencer, type TestSpecification } from "vitest/node"

/**
 * Vitest's order (by project name, then the largest file first), except that the browser suites,
 * six minutes in one file, start first: begun last they would run on one core while the other idles.
 */
class BrowserSuitesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const first = (spec: TestSpecification) => spec.moduleId.endsWith("/apps/web/test/browser-suites.test.ts")
    return [...sorted.filter(first), ...sorted.filter((spec) => !first(spec))]
  }
}

const project = (dir: string, options: { isolate?: boolean; testTimeout?: number } = {}) => ({
  test: {
    name: dir.split("/").pop(),
    root: dir,
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks" as const,
    ...options,
  },
})

// A worker runs file after file in one process, its loaded modules (effect, the engine, PGlite's
// compiled WebAssembly) kept: a file no longer pays a second or more of CPU to load them afresh.
// The files mock nothing and each opens its own databases and folders; the few that change an
// environment variable put it back after each test. Measured alone on this machine: the engine
// project 216 s → 102 s, the server's 152 s → 88 s, the store's 97 s → 64 s, the CLI's 346 s → 291 s.
const shared = { isolate: false }

// The bench's end-to-end runs (the whole machinery on a tiny nation, the CLI timings) take
// minutes of both cores: `pnpm test:bench` runs them; `pnpm test` keeps the cheap checks.
const benchRuns = ["test/smoke.test.ts", "test/cli-times.test.ts"]
const withBenchRuns = process.env.LIANDONG_TEST_BENCH === "1"

// One project per package: `vitest run --project engine` runs one.
export default defineConfig({
  test: {
    // Both cores: one test file per core (the default here is one file at a time).
    maxWorkers: 2,
    sequence: { sequencer: BrowserSuitesFirst },
    projects: [
      project("packages/workflow", shared),
      project("packages/store", shared),
      project("packages/report", shared),
      project("packages/campaigns", shared),
      project("packages/engine", shared),
      // Each CLI test starts processes that open the embedded database: on a machine busy with
      // other suites one such test can take minutes, so the bound only catches a hang.
      project("apps/cli", { ...shared, testTimeout: 180_000 }),
      {
        test: {
          ...project("packages/bench").test,
          exclude: [...configDefaults.exclude, ...(withBenchRuns ? [] : benchRuns)],
        },
      },
      project("packages/api", shared),
      project("apps/server", shared),
      // Repository rules: the Biome configuration refuses import cycles and deep imports.
      project(".ci"),
      // The browser tests build the UI first (and serve it from apps/web/dist). Their suites are one
      // file, browser-suites.test.ts, which the sequencer starts first: one worker runs them in
      // turn beside the other files, never two browsers at once (test/browser-suites.test.ts).
      { test: { ...project("apps/web").test, globalSetup: ["test/global-setup.ts"] } },
    ],
  },
})
