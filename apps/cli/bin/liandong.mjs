#!/usr/bin/env node
/**
 * `liandong`: runs the bundled command line (dist/liandong.mjs) while it matches the
 * sources it was built from; when a source changed it rebuilds the bundle first
 * (build.ts, in a process of its own); without a bundler, when the build fails, or with
 * LIANDONG_CLI_BUNDLE=off it runs src/main.ts itself. LIANDONG_CLI_BUNDLE=on runs the
 * bundle unchecked, for an installed copy whose sources never change (an image).
 * Plain JavaScript, so that the check costs no TypeScript loading.
 */
import { spawn } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import module from "node:module"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"

const cliDir = join(import.meta.dirname, "..")
const bundle = join(cliDir, "dist", "liandong.mjs")
const sources = join(cliDir, "src", "main.ts")

/** build.ts's bundleIsFresh: the bundle is there and every file its stamp lists keeps its mtime. */
const fresh = () => {
  try {
    const { files } = JSON.parse(readFileSync(join(cliDir, "dist", "liandong.stamp.json"), "utf8"))
    return (
      existsSync(bundle) &&
      files.length > 0 &&
      files.every(([file, mtime]) => statSync(resolve(cliDir, file)).mtimeMs === mtime)
    )
  } catch {
    return false
  }
}

/**
 * Builds the bundle with build.ts in a node of its own (it says on stderr that it builds, or why it
 * could not): the bundler keeps 400–650 MB that a command running in the same process would sit on
 * top of (the demo after an edit: 1.08 GB instead of 0.6). Exit 0: a fresh bundle; 3: no bundler.
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

/** The bundle, rebuilt when stale; the sources when it cannot be. */
const entry = async () => {
  if (process.env.LIANDONG_CLI_BUNDLE === "off") return sources
  if (process.env.LIANDONG_CLI_BUNDLE === "on") return existsSync(bundle) ? bundle : sources
  if (fresh()) return bundle
  return (await buildApart()) === 0 ? bundle : sources
}

// The embedded database is PostgreSQL compiled to a 9 MB WebAssembly module. V8 compiles its
// hot functions a second time with TurboFan, which costs a command more CPU and memory than
// it saves (a listing: 1.7 → 0.9 s of CPU, 620 → 290 MB; the demo: 10.9 → 7.3 s). Commands on
// it run with Liftoff only, in a child process: V8 takes the flag only when it starts.
const embedded =
  process.argv.slice(2).includes("demo") ||
  !Object.entries(process.env).some(([name, value]) => name.startsWith("DATABASE_") && value)

if (embedded && !process.execArgv.includes("--liftoff-only")) {
  const args = ["--liftoff-only", ...process.execArgv, import.meta.filename, ...process.argv.slice(2)]
  const child = spawn(process.execPath, args, { stdio: "inherit" })
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"]
  // Passed on: the command stops as it would (a worker finishes its item); a repeated signal changes nothing.
  for (const signal of signals) process.on(signal, () => child.kill(signal))
  child.on("exit", (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    for (const each of signals) process.removeAllListeners(each)
    process.kill(process.pid, signal)
  })
} else {
  // V8 keeps the code it compiled between runs (in the temp folder, or NODE_COMPILE_CACHE).
  module.enableCompileCache()
  await import(pathToFileURL(await entry()).href)
}
