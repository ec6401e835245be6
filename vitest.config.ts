import { configDefaults, defineConfig } from "vitest/config"

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

// Pure packages (no database, no mocks, no global state): their files share one process and its
// loaded modules instead of each loading effect and the workflow language afresh.
const pure = { isolate: false }

// The bench's end-to-end runs (the whole machinery on a tiny nation, the CLI timings) take
// minutes of both cores: `pnpm test:bench` runs them; `pnpm test` keeps the cheap checks.
const benchRuns = ["test/smoke.test.ts", "test/cli-times.test.ts"]
const withBenchRuns = process.env.LIANDONG_TEST_BENCH === "1"

// One project per package: `vitest run --project engine` runs one.
export default defineConfig({
  test: {
    // Both cores: one test file per core (the default here is one file at a time).
    maxWorkers: 2,
    projects: [
      project("packages/workflow", pure),
      project("packages/store"),
      project("packages/report", pure),
      project("packages/campaigns", pure),
      project("packages/engine"),
      // Each CLI test starts processes that open the embedded database: on a machine busy with
      // other suites one such test can take minutes, so the bound only catches a hang.
      project("apps/cli", { testTimeout: 180_000 }),
      {
        test: {
          ...project("packages/bench").test,
          exclude: [...configDefaults.exclude, ...(withBenchRuns ? [] : benchRuns)],
        },
      },
      project("packages/api", pure),
      project("apps/server"),
      // Repository rules: the Biome configuration refuses import cycles and deep imports.
      project(".ci"),
      // The browser tests build the UI first (and serve it from apps/web/dist), and run after
      // every other project, alone and one file at a time: a browser, a server and chaos workers
      // on two cores at once starve the browser's waits, and with two browser files at a time on
      // a busy machine live.test.ts saw four event streams open in one tab (the limit is two).
      {
        test: {
          ...project("apps/web").test,
          maxWorkers: 1,
          globalSetup: ["test/global-setup.ts"],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
