/**
 * The checkpoint key is made once by `liandong keys init`, never by a process that finds
 * none: servers and workers without it refuse to start (and make nothing), the CLI's
 * listings run without it and what signs fails with the same message; a key replaced as a
 * secret is taken up, and a key file on a read-only mount is rotated by replacing it.
 */
import { execFile, spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"

const serverMain = fileURLToPath(new URL("../../server/src/main.ts", import.meta.url))
const workerMain = fileURLToPath(new URL("../../worker/src/main.ts", import.meta.url))
const cliMain = fileURLToPath(new URL("../src/main.ts", import.meta.url))

const folder = () => mkdtemp(join(tmpdir(), "liandong-keys-"))

/** Runs a program to its end with `env` (no DATABASE_URL, no key of the test file's). */
const runToEnd = (script: string, args: string[], env: Record<string, string>, cwd: string) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: { ...process.env, DATABASE_URL: "", LIANDONG_KEY: "", LIANDONG_KEY_FILE: "", PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let output = ""
    child.stdout.on("data", (chunk) => {
      output += String(chunk)
    })
    child.stderr.on("data", (chunk) => {
      output += String(chunk)
    })
    // A server that started anyway would run forever: the test fails on its exit code, not a hang.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

describe("liandong keys init", () => {
  it("makes a 0600 key once, refuses a second time, and --if-missing leaves it", async () => {
    const dir = await folder()
    const path = join(dir, "secrets", "checkpoint-ed25519.pem")
    const env = { LIANDONG_KEY: "", LIANDONG_KEY_FILE: path }
    const made = await liandong(["keys", "init"], env)
    expect(made.code, made.stderr).toBe(0)
    const keyId = /created: ([0-9a-f]{16})/u.exec(made.stdout)?.[1]
    expect(keyId).toBeDefined()
    expect(made.stdout).toContain(path)
    expect(made.stdout).toContain("Back this file up now")
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, "secrets")).mode & 0o777).toBe(0o700)
    const pem = readFileSync(path, "utf8")

    const again = await liandong(["keys", "init"], env)
    expect(again.code).not.toBe(0)
    expect(again.stderr).toContain(`a signing key already exists at ${path} (key ${keyId})`)
    expect(readFileSync(path, "utf8")).toBe(pem)

    const quiet = await liandong(["keys", "init", "--if-missing", "--json"], env)
    expect(quiet.code, quiet.stderr).toBe(0)
    expect(quiet.stderr).toBe("")
    expect(JSON.parse(quiet.stdout)).toEqual({ created: false, keyId, path })
    expect(readFileSync(path, "utf8")).toBe(pem)
  })

  it("writes where --out says, and refuses LIANDONG_KEY with LIANDONG_KEY_FILE", async () => {
    const dir = await folder()
    const out = join(dir, "next.pem")
    const made = await liandong(["keys", "init", "--out", out, "--json"], { LIANDONG_KEY: join(dir, "unused.pem") })
    expect(made.code, made.stderr).toBe(0)
    expect(JSON.parse(made.stdout)).toMatchObject({ created: true, path: out })
    expect(readdirSync(dir)).toEqual(["next.pem"])
    const both = await liandong(["keys", "init"], { LIANDONG_KEY: out, LIANDONG_KEY_FILE: out })
    expect(both.code).not.toBe(0)
    expect(both.stderr).toContain("set LIANDONG_KEY or LIANDONG_KEY_FILE, not both")
  })
})

describe("a process without the key", () => {
  for (const [name, script] of [
    ["server", serverMain],
    ["worker", workerMain],
  ] as const) {
    it(`the ${name} refuses to start, names the file and the remedy, and makes nothing`, async () => {
      const dir = await folder()
      const missing = join(dir, "keys", "checkpoint-ed25519.pem")
      const { code, output } = await runToEnd(
        script,
        [],
        { LIANDONG_KEY: missing, LIANDONG_DATA: join(dir, "data") },
        dir,
      )
      expect(code).not.toBe(0)
      expect(code).not.toBeNull()
      expect(output).toContain(`the signing key file ${missing} does not exist`)
      expect(output).toContain("liandong keys init")
      expect(output).toContain("签名密钥文件")
      expect(readdirSync(dir)).toEqual([])
    })
  }

  it("the default path is refused as well: nothing is made in the working directory", async () => {
    const dir = await folder()
    const { code, output } = await runToEnd(workerMain, [], { LIANDONG_DATA: join(dir, "data") }, dir)
    expect(code).not.toBe(0)
    expect(output).toContain(join(dir, ".liandong", "keys", "checkpoint-ed25519.pem"))
    expect(readdirSync(dir)).toEqual([])
  })
})

describe("the CLI without the key", () => {
  let dir: string
  let env: Record<string, string>
  beforeAll(async () => {
    dir = await folder()
    env = { LIANDONG_DATA: join(dir, "data"), LIANDONG_KEY: join(dir, "none.pem") }
    const { tour } = await import("@liandong/campaigns")
    await writeFile(join(dir, "tour.json"), JSON.stringify(tour))
  })

  it("deploys and lists, and fails what signs with the same message", async () => {
    const deployed = await liandong(["deploy", join(dir, "tour.json")], env)
    expect(deployed.code, deployed.stderr).toBe(0)
    const listed = await liandong(["campaigns", "--json"], env)
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toHaveLength(1)
    for (const args of [
      ["worker", "--until-idle", "--now", "2026-04-13T09:00+08:00"],
      ["audit", "checkpoint", "tour-2026"],
    ]) {
      const failed = await liandong(args, env)
      expect(failed.code, args.join(" ")).not.toBe(0)
      expect(failed.stderr).toContain(`error: the signing key file ${join(dir, "none.pem")} does not exist`)
    }
    expect(existsSync(join(dir, "none.pem"))).toBe(false)
  })
})

describe("a key replaced as a secret", () => {
  it("signs from then on, joins the ring, and the record verifies", async () => {
    const dir = await folder()
    const keyFile = join(dir, "secret", "checkpoint.pem")
    const env = { LIANDONG_DATA: join(dir, "data"), LIANDONG_KEY: keyFile }
    const { tour } = await import("@liandong/campaigns")
    await writeFile(join(dir, "tour.json"), JSON.stringify(tour))
    const step = async (...args: string[]) => {
      const result = await liandong(args, env)
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
      return result.stdout
    }
    const first = JSON.parse(await step("keys", "init", "--json")).keyId as string
    await step("deploy", join(dir, "tour.json"))
    await step("audit", "checkpoint", "tour-2026")
    // Rotating with secrets: a new key made elsewhere, put where the old one was.
    const next = JSON.parse(await step("keys", "init", "--out", join(dir, "next.pem"), "--json")).keyId as string
    renameSync(join(dir, "next.pem"), keyFile)
    await step("audit", "checkpoint", "tour-2026")
    const ring = JSON.parse(await step("audit", "keys", "list", "--json")) as Array<{
      keyId: string
      validUntil: string | null
    }>
    expect(ring.map((k) => k.keyId).sort()).toEqual([first, next].sort())
    expect(ring.every((k) => k.validUntil === null)).toBe(true)
    const verdict = JSON.parse(await step("audit", "verify", "tour-2026", "--json")) as {
      ok: boolean
      checkpoints: number
    }
    expect(verdict).toMatchObject({ ok: true, checkpoints: 2 })
  }, 120_000)
})

/** True when this machine lets a test mount a folder read-only in a namespace of its own. */
const readOnlyMountPossible = async () => {
  const dir = await folder()
  const probe = `mount --bind ${dir} ${dir} && mount -o remount,ro,bind ${dir} ${dir} && ! touch ${dir}/x 2>/dev/null`
  return promisify(execFile)("unshare", ["-m", "sh", "-c", probe]).then(
    () => true,
    () => false,
  )
}

describe.skipIf(!(await readOnlyMountPossible()))("a key file on a read-only mount", () => {
  it("is not rotated: the message says how to rotate with secrets, and the key stays", async () => {
    const dir = await folder()
    const secrets = join(dir, "secrets")
    const keyFile = join(secrets, "checkpoint.pem")
    const env = { LIANDONG_DATA: join(dir, "data"), LIANDONG_KEY: keyFile }
    const made = await liandong(["keys", "init"], env)
    expect(made.code, made.stderr).toBe(0)
    const pem = readFileSync(keyFile, "utf8")
    const rotate = `mount --bind ${secrets} ${secrets} && mount -o remount,ro,bind ${secrets} ${secrets} && exec "$0" "$@"`
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        "unshare",
        ["-m", "sh", "-c", rotate, process.execPath, cliMain, "audit", "keys", "rotate"],
        { env: { ...process.env, LOG_LEVEL: "warn", ...env } },
        (error, _stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stderr }),
      )
    })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain(`the signing key file ${keyFile} cannot be rewritten (EROFS`)
    expect(result.stderr).toContain("liandong keys init --out")
    expect(result.stderr).toContain("restart every server and worker")
    expect(readFileSync(keyFile, "utf8")).toBe(pem)
    const ring = await liandong(["audit", "keys", "list", "--json"], env)
    expect(JSON.parse(ring.stdout)).toEqual([])
  }, 60_000)
})
