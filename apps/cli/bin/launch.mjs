/**
 * Which file a launcher runs: the bundle (dist/) while it matches the sources it was built from;
 * when a source changed it rebuilds the bundles first (build.ts, in a process of its own);
 * without a bundler, when the build fails, or with LIANDONG_CLI_BUNDLE=off the sources
 * themselves. LIANDONG_CLI_BUNDLE=on runs the bundle unchecked, for an installed copy whose
 * sources never change (an image). One build makes all three bundles: the command line's
 * (liandong.mjs), the HTTP API's (server.mjs) and the worker's (worker.mjs).
 * Plain JavaScript, so that the check costs no TypeScript loading.
 */
import { spawn } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join, resolve } from "node:path"

const cliDir = join(import.meta.dirname, "..")
const appsDir = join(cliDir, "..")

/** Each program's bundle and sources. */
export const programs = {
  liandong: { bundle: join(cliDir, "dist", "liandong.mjs"), sources: join(cliDir, "src", "main.ts") },
  server: { bundle: join(cliDir, "dist", "server.mjs"), sources: join(appsDir, "server", "src", "main.ts") },
  worker: { bundle: join(cliDir, "dist", "worker.mjs"), sources: join(appsDir, "worker", "src", "main.ts") },
}

/** build.ts's bundleIsFresh: the bundles are there and every file the stamp lists keeps its mtime. */
const fresh = () => {
  try {
    const { files } = JSON.parse(readFileSync(join(cliDir, "dist", "liandong.stamp.json"), "utf8"))
    return (
      // A program is built when its sources are there (a copy of the CLI alone has no server).
      Object.values(programs).every((program) => existsSync(program.bundle) || !existsSync(program.sources)) &&
      files.length > 0 &&
      files.every(([file, mtime]) => statSync(resolve(cliDir, file)).mtimeMs === mtime)
    )
  } catch {
    return false
  }
}

/**
 * Builds the bundles with build.ts in a node of its own (it says on stderr that it builds, or why it
 * could not): the bundler keeps 400–650 MB that a command running in the same process would sit on
 * top of (the demo after an edit: 1.08 GB instead of 0.6). Exit 0: fresh bundles; 3: no bundler.
 */
const buildApart = () =>
  new Promise((done) => {
    const builder = join(cliDir, "build.ts")
    if (!existsSync(builder)) return done(3)
    // mimalloc (rolldown's allocator) otherwise commits whole arenas at once: 405 MB at peak instead of 630.
    const env = { MIMALLOC_ARENA_EAGER_COMMIT: "0", ...process.env }
    const child = spawn(process.execPath, [builder, "--ensure"], { stdio: ["ignore", "ignore", "inherit"], env })
    child.on("error", () => done(1))
    child.on("exit", (code) => done(code ?? 1))
  })

/** The file to run for `name`: its bundle, rebuilt when stale; its sources when it cannot be. */
export const entryOf = async (name) => {
  const { bundle, sources } = programs[name]
  if (process.env.LIANDONG_CLI_BUNDLE === "off") return sources
  if (process.env.LIANDONG_CLI_BUNDLE === "on") return existsSync(bundle) ? bundle : sources
  if (fresh()) return bundle
  return (await buildApart()) === 0 ? bundle : sources
}
