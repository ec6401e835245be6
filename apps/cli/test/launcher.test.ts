import { execFile, spawn } from "node:child_process"
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launcher, liandong } from "./cli.ts"

const cliDir = join(import.meta.dirname, "..")

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

// The launcher on a copy of the CLI (bin, build.ts, src) inside apps/cli/dist, so that editing its
// sources touches no one else's files while its packages still resolve from apps/cli/node_modules.
describe("the launcher", () => {
  const copy = join(cliDir, "dist", `launcher-test-${process.pid}`)
  const bundle = join(copy, "dist", "liandong.mjs")
  const runWith = (env: Record<string, string>, ...args: string[]) =>
    new Promise<Run>((resolve) => {
      const options = { env: { ...process.env, ...env } }
      execFile(process.execPath, [join(copy, "bin", "liandong.mjs"), ...args], options, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
      })
    })
  const run = (...args: string[]) => runWith({}, ...args)
  const setVersion = (version: string) => {
    const main = join(copy, "src", "main.ts")
    const text = readFileSync(main, "utf8").replace(/version: "[^"]*"/u, `version: "${version}"`)
    writeFileSync(main, text)
  }

  beforeAll(() => {
    mkdirSync(copy, { recursive: true })
    for (const part of ["bin", "src", "build.ts"]) cpSync(join(cliDir, part), join(copy, part), { recursive: true })
  })
  afterAll(() => rmSync(copy, { recursive: true, force: true }))

  it("builds the bundle on first use, then runs it without building again", async () => {
    const first = await run("--version")
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain("0.1.0")
    expect(first.stderr).toContain("first run: building")
    expect(readFileSync(bundle, "utf8")).toContain("0.1.0")
    const second = await run("--version")
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toBe("")
  }, 120_000)

  it("runs an edited source, never the bundle built before the edit", async () => {
    setVersion("0.1.0-edited")
    const edited = await run("--version")
    expect(edited.code, edited.stderr).toBe(0)
    expect(edited.stdout).toContain("0.1.0-edited")
    expect(edited.stderr).toContain("the sources changed: rebuilding")
  }, 120_000)

  it("rebuilds when a source file's time changes, even with the same content", async () => {
    // A bundle that says it is stale: run while the stamp matches, so the test sees which one runs.
    writeFileSync(bundle, 'console.log("the stale bundle")\n')
    expect((await run("--version")).stdout).toContain("the stale bundle")
    const output = join(copy, "src", "Output.ts")
    const earlier = new Date(statSync(output).mtimeMs - 60_000)
    utimesSync(output, earlier, earlier)
    // Unchecked, as in an image: the bundle as it is.
    expect((await runWith({ LIANDONG_CLI_BUNDLE: "on" }, "--version")).stdout).toContain("the stale bundle")
    const touched = await run("--version")
    expect(touched.code, touched.stderr).toBe(0)
    expect(touched.stdout).not.toContain("the stale bundle")
    expect(touched.stdout).toContain("0.1.0-edited")
  }, 120_000)

  it("builds once when several runs find the bundle stale at the same time", async () => {
    setVersion("0.1.0-together")
    const runs = await Promise.all([run("--version"), run("--version"), run("--version")])
    for (const each of runs) {
      expect(each.code, each.stderr).toBe(0)
      expect(each.stdout).toContain("0.1.0-together")
    }
    expect(runs.filter((each) => each.stderr.includes("rebuilding")).length).toBe(1)
  }, 120_000)

  it("runs the sources themselves with LIANDONG_CLI_BUNDLE=off", async () => {
    setVersion("0.1.0-sources")
    const result = await runWith({ LIANDONG_CLI_BUNDLE: "off" }, "--version")
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain("0.1.0-sources")
    expect(result.stderr).toBe("")
    expect(readFileSync(bundle, "utf8")).not.toContain("0.1.0-sources")
  }, 120_000)
})

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// On the embedded database the launcher runs the command in a child node (Liftoff only for
// PostgreSQL's WebAssembly): what the command says, its exit code and the signals pass through.
describe("the launcher on the embedded database", () => {
  const dir = mkdtempSync(join(tmpdir(), "liandong-launcher-"))
  const env: Record<string, string> = { LIANDONG_DATA: join(dir, "data") }
  // Any DATABASE_* setting of the test's environment blanked: an empty one counts as unset.
  const embedded = (): Record<string, string> =>
    Object.fromEntries(Object.keys(process.env).flatMap((name) => (name.startsWith("DATABASE_") ? [[name, ""]] : [])))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("passes on the command's error and exit code", async () => {
    const result = await liandong(["tasks", "--as", "nobody"], { ...embedded(), ...env })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("nobody")
    expect(result.stdout).toBe("")
  }, 120_000)

  it("passes SIGTERM on: the command stops cleanly and leaves no process behind", async () => {
    // A campaign file that never finishes loading, and says which process loads it.
    const marker = join(dir, "loading")
    const file = join(dir, "slow.ts")
    writeFileSync(
      file,
      `import { writeFileSync } from "node:fs"\nwriteFileSync(${JSON.stringify(marker)}, String(process.pid))\nawait new Promise(() => setInterval(() => {}, 1000))\nexport default {}\n`,
    )
    await liandong(["--version"]) // the bundle, fresh
    const child = spawn(process.execPath, [launcher, "deploy", file], {
      env: { ...process.env, ...embedded(), ...env, LOG_LEVEL: "warn" },
      stdio: "ignore",
    })
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    )
    for (let i = 0; i < 600 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 100))
    const command = Number(readFileSync(marker, "utf8"))
    expect(command).not.toBe(child.pid)
    // Still the command (its own command line): a busy machine may give a dead process's pid to another.
    const stillCommand = () => {
      try {
        return readFileSync(`/proc/${command}/cmdline`, "utf8").includes(file)
      } catch {
        return existsSync("/proc/self") ? false : alive(command)
      }
    }
    expect(stillCommand()).toBe(true)
    child.kill("SIGTERM")
    expect(await exited).toEqual({ code: 0, signal: null })
    for (let i = 0; i < 100 && stillCommand(); i++) await new Promise((r) => setTimeout(r, 100))
    expect(stillCommand()).toBe(false)
  }, 120_000)
})

describe("the server's and the worker's launchers", () => {
  // What bin/server.mjs and bin/worker.mjs run, asked of launch.mjs in a process of its own.
  const entryOf = (name: string, env: Record<string, string> = {}) =>
    new Promise<string>((resolve, reject) => {
      const script = `const { entryOf } = await import(${JSON.stringify(join(cliDir, "bin", "launch.mjs"))}); console.log(await entryOf(${JSON.stringify(name)}))`
      execFile(
        process.execPath,
        ["--input-type=module", "-e", script],
        { env: { ...process.env, ...env } },
        (error, stdout, stderr) => (error === null ? resolve(stdout.trim()) : reject(new Error(stderr))),
      )
    })

  it("run the bundles the CLI's build makes beside its own, or the sources when told", async () => {
    await liandong(["--version"]) // the bundles, fresh
    expect(await entryOf("server")).toBe(join(cliDir, "dist", "server.mjs"))
    expect(await entryOf("worker")).toBe(join(cliDir, "dist", "worker.mjs"))
    expect(await entryOf("server", { LIANDONG_CLI_BUNDLE: "off" })).toBe(join(cliDir, "..", "server", "src", "main.ts"))
    expect(await entryOf("worker", { LIANDONG_CLI_BUNDLE: "off" })).toBe(join(cliDir, "..", "worker", "src", "main.ts"))
  }, 120_000)

  it("start the worker from its bundle: a bad setting is refused as the sources refuse it", async () => {
    const result = await new Promise<Run>((resolve) =>
      execFile(
        process.execPath,
        [join(cliDir, "bin", "worker.mjs")],
        { env: { ...process.env, LIANDONG_POLL_MS: "5" } },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }),
      ),
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("LIANDONG_POLL_MS 须为不小于 10 的整数")
  }, 120_000)
})
