/**
 * The server as a process (`node src/main.ts`) on an embedded data folder:
 * SIGTERM or SIGINT stops it cleanly — a request in flight is still answered,
 * the folder's lock is given up — and it exits 0. Failing to start, because
 * another process holds the folder, it says so in one line and exits 1.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { generateKeyPairSync } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { connect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { addPrincipal, createToken } from "@liandong/engine/commands"
import { dbLayer, operator } from "@liandong/engine/runtime"
import { openStore } from "@liandong/store"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"

const main = join(import.meta.dirname, "..", "src", "main.ts")

interface Running {
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  readonly output: () => string
}

const children: Array<ChildProcess> = []

const start = (env: Record<string, string>): Running => {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  children.push(child)
  let output = ""
  child.stdout?.on("data", (chunk) => {
    output += String(chunk)
  })
  child.stderr?.on("data", (chunk) => {
    output += String(chunk)
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, exited, output: () => output }
}

/** The URL it prints once it listens. */
const listening = async (server: Running): Promise<URL> => {
  for (let i = 0; i < 1200 && server.child.exitCode === null; i++) {
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(server.output())?.[0]
    if (url !== undefined) return new URL(url)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the server did not start: ${server.output()}`)
}

/** Whether a new connection to the port is accepted. */
const accepts = (url: URL) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(Number(url.port), url.hostname)
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

// Each test starts the server process (and waits for it by condition): on a busy machine that is
// slow, so the limits say "stuck", not "slow".
describe("the server process", () => {
  let dir: string
  let env: Record<string, string>
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-shutdown-"))
    const key = join(dir, "checkpoint-ed25519.pem")
    await writeFile(key, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    })
    env = { LIANDONG_DATA: join(dir, "data"), LIANDONG_KEY: key }
  })
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL")
    await rm(dir, { recursive: true, force: true })
  })

  it("answers the request in flight, gives up the data folder and exits 0 on SIGTERM", async () => {
    // A token, so that the request gets past authentication and its handler waits for the body.
    const { token } = await Effect.runPromise(
      Effect.gen(function* () {
        yield* addPrincipal({ id: "audit", name: "审计员", role: "auditor" }, operator)
        return yield* createToken("audit", {}, operator)
      }).pipe(Effect.provide(dbLayer({ dataDir: env.LIANDONG_DATA }))),
    )
    const server = start(env)
    const url = await listening(server)
    expect((await fetch(new URL("/readyz", url))).status).toBe(200)
    const lock = join(dir, "data", "liandong.lock")
    expect(JSON.parse(await readFile(lock, "utf8")).pid).toBe(server.child.pid)

    // A deploy whose body is still on its way when the signal comes.
    const body = JSON.stringify({ definition: { id: "x" } })
    const socket: Socket = connect(Number(url.port), url.hostname)
    await new Promise((resolve) => socket.once("connect", resolve))
    let answer = ""
    socket.on("data", (chunk) => {
      answer += String(chunk)
    })
    const closed = new Promise((resolve) => socket.once("close", resolve))
    socket.write(
      `POST /api/v1/campaigns HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
    )
    server.child.kill("SIGTERM")
    // Stopping: it takes no new connection, and still owes the one in flight its answer.
    for (let i = 0; i < 600 && (await accepts(url)); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await accepts(url)).toBe(false)
    expect(answer).toBe("")
    socket.end(body.slice(5))
    await closed
    // Answered from the whole body: the deploy's fields, each named.
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(answer).toContain("definition: ")

    expect(await server.exited).toBe(0)
    expect(existsSync(lock)).toBe(false)
    expect(server.output()).not.toContain("错误")
  }, 300_000)

  it("exits 0 on SIGINT", async () => {
    const server = start({ ...env, LIANDONG_WORKER: "off" })
    await listening(server)
    server.child.kill("SIGINT")
    expect(await server.exited).toBe(0)
    expect(existsSync(join(dir, "data", "liandong.lock"))).toBe(false)
  }, 300_000)

  it("refuses to start on a data folder another process holds, in one line, with exit code 1", async () => {
    const holder = await openStore({ dataDir: env.LIANDONG_DATA })
    try {
      const server = start(env)
      expect(await server.exited).toBe(1)
      const lines = server.output().trim().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`错误:数据目录 ${env.LIANDONG_DATA} 正由进程 ${process.pid}`)
      expect(lines[0]).toContain(`error: the data folder ${env.LIANDONG_DATA} is held by process ${process.pid}`)
    } finally {
      await holder.close()
    }
  }, 300_000)
})
