import { defineConfig } from "vitest/config"

const project = (dir: string) => ({
  test: {
    name: dir.split("/").pop(),
    root: dir,
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks" as const,
  },
})

// One project per package: `vitest run --project engine` runs one.
export default defineConfig({
  test: {
    // Both cores: one test file per core (the default here is one file at a time).
    maxWorkers: 2,
    projects: [
      project("packages/workflow"),
      project("packages/store"),
      project("packages/report"),
      project("packages/campaigns"),
      project("packages/engine"),
      project("apps/cli"),
      project("packages/bench"),
      project("packages/api"),
      project("apps/server"),
      // Repository rules: the Biome configuration refuses import cycles and deep imports.
      project(".ci"),
      // The browser tests build the UI first (and serve it from apps/web/dist), and run after
      // every other project, alone and one file at a time: a browser, a server and chaos workers
      // on two cores at once starve the browser's waits.
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
