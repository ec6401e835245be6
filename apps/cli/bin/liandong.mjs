#!/usr/bin/env node
/**
 * `liandong`: runs the bundled command line (dist/liandong.mjs) while it matches the
 * sources it was built from; when a source changed it rebuilds the bundle first
 * (build.ts); without a bundler, when the build fails, or with
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

const say = (zh, en) => process.stderr.write(`liandong: ${zh} / ${en}\n`)

/** The bundle, rebuilt when stale; the sources when it cannot be. */
const entry = async () => {
  if (process.env.LIANDONG_CLI_BUNDLE === "off") return sources
  if (process.env.LIANDONG_CLI_BUNDLE === "on") return existsSync(bundle) ? bundle : sources
  if (fresh()) return bundle
  const first = !existsSync(bundle)
  try {
    const { ensureCliBuilt } = await import("../build.ts")
    const built = await ensureCliBuilt({
      onBuild: () =>
        first
          ? say("首次运行,正在打包命令行", "first run: building the command line bundle")
          : say("源码有改动,正在重新打包命令行", "the sources changed: rebuilding the command line bundle"),
    })
    return built ? bundle : sources
  } catch (error) {
    // No bundler (an install without devDependencies): the sources, quietly.
    if (!(error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("rolldown"))) {
      const reason = String(error?.message ?? error).split("\n")[0]
      say("打包失败,改为直接运行源码", `the bundle could not be built, running the sources (${reason})`)
    }
    return sources
  }
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
