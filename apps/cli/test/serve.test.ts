/**
 * `liandong serve` on a fresh embedded data folder: while it runs, the folder
 * is the server's and another `liandong` command is refused in one line;
 * SIGTERM or SIGINT stops the CLI and its server child, exit code 0, the
 * folder's lock given up; the CLI killed outright, the server stops itself.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { generateKeyPairSync } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 1200; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`still waiting: ${what}`)
}

const answers = (url: string) =>
  fetch(`${url}/readyz`).then(
    (response) => response.status === 200,
    () => false,
  )

describe("liandong serve on the embedded database", () => {
  let dir: string
  let data: string
  let env: Record<string, string>
  let cli: ChildProcess
  let output: string
  let exited: Promise<number | null>

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-serve-"))
    data = join(dir, "data")
    const key = join(dir, "checkpoint-ed25519.pem")
    await writeFile(key, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    })
    env = { LIANDONG_DATA: data, LIANDONG_KEY: key }
    output = ""
    cli = spawn(process.execPath, [main, "serve"], {
      cwd: dir,
      env: { ...process.env, ...env, PORT: "0", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    cli.stdout?.on("data", (chunk) => {
      output += String(chunk)
    })
    cli.stderr?.on("data", (chunk) => {
      output += String(chunk)
    })
    exited = new Promise((resolve) => cli.once("exit", (code) => resolve(code)))
  })
  afterEach(async () => {
    if (cli.exitCode === null) cli.kill("SIGKILL")
    const holder = await serverPid().catch(() => undefined)
    if (holder !== undefined && alive(holder)) process.kill(holder, "SIGKILL")
    await rm(dir, { recursive: true, force: true })
  })

  const lock = () => join(data, "liandong.lock")
  const serverPid = async () => (JSON.parse(await readFile(lock(), "utf8")) as { pid: number }).pid
  const ready = async () => {
    let url = ""
    await until(async () => {
      if (cli.exitCode !== null) throw new Error(`serve exited with ${cli.exitCode}: ${output}`)
      url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0] ?? ""
      return url !== "" && (await answers(url))
    }, "the server answers /readyz")
    const pid = await serverPid()
    expect(pid).not.toBe(cli.pid)
    expect(alive(pid)).toBe(true)
    return { url, pid }
  }

  it("refuses another command on the folder, and stops with its server on SIGTERM, exit code 0", async () => {
    const { url, pid } = await ready()

    for (const args of [["token", "create", "someone"], ["tasks"]]) {
      const refused = await liandong(args, env)
      expect(refused.code, args.join(" ")).not.toBe(0)
      expect(refused.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(
          new RegExp(
            `^错误:数据目录 ${data} 正由进程 ${pid}\\(.*bin/server\\.mjs.*\\)使用.* \\| error: the data folder ${data} is held by process ${pid} `,
          ),
        ),
      ])
    }

    cli.kill("SIGTERM")
    expect(await exited).toBe(0)
    expect(alive(pid)).toBe(false)
    expect(existsSync(lock())).toBe(false)
    expect(await answers(url)).toBe(false)
    // The folder is free again, for the command refused a moment ago.
    const listed = await liandong(["tasks", "--json"], env)
    expect(listed.code, listed.stderr).toBe(0)
  })

  it("stops with its server on SIGINT, exit code 0", async () => {
    const { pid } = await ready()
    cli.kill("SIGINT")
    expect(await exited).toBe(0)
    expect(alive(pid)).toBe(false)
    expect(existsSync(lock())).toBe(false)
  })

  it("leaves no server behind when it is killed outright", async () => {
    const { url, pid } = await ready()
    cli.kill("SIGKILL")
    await exited
    await until(() => !alive(pid), "the server child stops")
    expect(existsSync(lock())).toBe(false)
    expect(await answers(url)).toBe(false)
  })
})
