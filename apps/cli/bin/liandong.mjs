#!/usr/bin/env node
/**
 * `liandong`: runs the bundled command line (dist/liandong.mjs) while it matches the
 * sources it was built from, else src/main.ts (launch.mjs says which).
 * Plain JavaScript, so that the check costs no TypeScript loading.
 */
import { spawn } from "node:child_process"
import module from "node:module"
import { pathToFileURL } from "node:url"
import { entryOf } from "./launch.mjs"

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
  await import(pathToFileURL(await entryOf("liandong")).href)
}
