/**
 * The benchmark's processes run as a deployment runs its programs: each from one bundled file
 * (as `apps/cli/build.ts` bundles the server and the worker for the image), with the engine's
 * node flags (`programNodeFlags`). A process started from the TypeScript sources holds about
 * 100 MB more: every module loaded and its types stripped. Built with rolldown at the start of a
 * run into packages/bench/dist, a second or two; the parts and the worker processes fork those.
 */
import { join } from "node:path"

/** The two programs a run forks: a part of the benchmark, and a worker process. */
export interface BenchPrograms {
  readonly child: string
  readonly worker: string
}

const srcDir = import.meta.dirname
const distDir = join(srcDir, "..", "dist")

/** The sources themselves (tests, and a machine without the bundler). */
export const sourcePrograms: BenchPrograms = {
  child: join(srcDir, "Child.ts"),
  worker: join(srcDir, "WorkerProcess.ts"),
}

// As the CLI's build: PGlite loads its files from beside its module and resvg is a native addon,
// so each stays a package (dependencies of this one, resolved from dist/); so does the peer.
const external = [
  /^@electric-sql\/pglite(\/|$)/,
  /^@resvg\/resvg-js(\/|$)/,
  /^graphile-worker(\/|$)/,
  /^typescript(\/|$)/,
  "pg-native",
]

/** Bundles the two programs into packages/bench/dist; their paths. */
export const bundlePrograms = async (): Promise<BenchPrograms> => {
  const { build } = await import("rolldown")
  const programs = { child: join(distDir, "child.mjs"), worker: join(distDir, "worker.mjs") }
  for (const [input, file] of [
    [sourcePrograms.child, programs.child],
    [sourcePrograms.worker, programs.worker],
  ] as const) {
    await build({
      input,
      platform: "node",
      external,
      logLevel: "warn",
      output: { file, format: "esm", codeSplitting: false },
    })
  }
  return programs
}
