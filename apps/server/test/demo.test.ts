/**
 * `pnpm serve:demo`, as a newcomer runs it: it prints a URL and a name and
 * password for a coordinator, units and an auditor, and each opens the campaign
 * mid-flight — east's task waiting, west's report waiting for review, the
 * record verifying. Ctrl+C (SIGTERM here) stops it cleanly.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const demo = join(import.meta.dirname, "..", "src", "Demo.ts")

describe("the serve demo", () => {
  let dir: string
  let child: ChildProcess
  let output = ""
  let url: string
  const cookies = new Map<string, string>()
  const password = (id: string) => {
    const lines = output.split("\n")
    const at = lines.findIndex((line) => line.includes(`· ${id}(`))
    return /密码 password: (\S+)/u.exec(lines[at + 1] ?? "")?.[1] ?? ""
  }
  const signIn = async (id: string): Promise<string> => {
    const known = cookies.get(id)
    if (known !== undefined) return known
    const response = await fetch(`${url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: id, password: password(id) }),
    })
    expect(response.status, `sign in as ${id}`).toBe(200)
    const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
    cookies.set(id, cookie)
    return cookie
  }
  const get = async (path: string, id: string): Promise<any> => {
    const response = await fetch(`${url}${path}`, { headers: { cookie: await signIn(id) } })
    expect(response.status, path).toBe(200)
    return response.json()
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-serve-demo-"))
    child = spawn(process.execPath, [demo], {
      cwd: dir,
      env: { ...process.env, PORT: "0", LIANDONG_DATA: join(dir, "data") },
      stdio: ["ignore", "pipe", "pipe"],
    })
    child.stderr?.on("data", (chunk) => {
      output += String(chunk)
    })
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (chunk) => {
        output += String(chunk)
        if (output.includes("Ctrl+C")) resolve()
      })
      child.once("exit", (code) => reject(new Error(`demo exited with ${code}: ${output}`)))
    })
    url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0] ?? ""
  })

  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL")
    await rm(dir, { recursive: true, force: true })
  })

  it("prints the web UI's URL and a working name and password for each role", async () => {
    expect(url).not.toBe("")
    expect((await fetch(`${url}/`)).status).toBe(200)
    for (const [id, role] of [
      ["lead", "coordinator"],
      ["east", "unit"],
      ["west", "unit"],
      ["audit", "auditor"],
    ] as const) {
      expect(password(id).length).toBeGreaterThanOrEqual(12)
      expect((await get("/api/v1/me", id)).role).toBe(role)
    }
  })

  it("opens the campaign mid-flight: east to act, west waiting for review, deadlines ahead", async () => {
    const east = await get("/api/v1/tasks?unit=east-district", "east")
    const brochures = east.items.find((t: { task: string }) => t.task === "brochures")
    expect(brochures.status).toBe("assigned")
    expect(Date.parse(brochures.deadline)).toBeGreaterThan(Date.now())
    const pending = await get("/api/v1/reports?status=submitted", "lead")
    expect(pending.items.map((r: { ref: string }) => r.ref)).toEqual(["tour-2026/west-district/brochures"])
    expect((await get("/api/v1/campaigns/tour-2026/verification", "audit")).ok).toBe(true)
  })

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
  })
})
