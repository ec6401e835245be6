/**
 * The image's entry point (infra/entrypoint.sh), run by sh here with a stub `node` first on PATH
 * and mount tables written as a container would see them: it refuses the embedded database in
 * a folder that is not a mounted volume, and otherwise execs node (the same process, so signals
 * and the exit code are node's own).
 */
import { spawn } from "node:child_process"
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const entrypoint = fileURLToPath(new URL("../../infra/entrypoint.sh", import.meta.url))

// A container's mount table: the overlay root, /proc, /dev; the volume lines are added per case.
const containerMounts = [
  "612 540 0:52 / / rw,relatime master:306 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B",
  "613 612 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "614 612 0:56 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
  "622 612 254:1 /docker/containers/c1/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw",
]
const volumeAt = (mountPoint: string) =>
  `623 612 254:1 /var/lib/docker/volumes/liandong/_data ${mountPoint} rw,relatime - ext4 /dev/vda1 rw`

let dir: string
let bin: string

/** Writes a mount table holding the container's mounts and `extra` lines; returns its path. */
const mountinfo = async (name: string, extra: string[] = []) => {
  const path = join(dir, `${name}.mountinfo`)
  await writeFile(path, `${[...containerMounts, ...extra].join("\n")}\n`)
  return path
}

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly pid: number
}

/** Runs the entry point with `args` and `env` (on a clean environment); `onStdout` may act on the running process. */
const run = (args: string[], env: Record<string, string>, onStdout?: (text: string, pid: number) => void) =>
  new Promise<Run>((resolve, reject) => {
    const child = spawn("sh", [entrypoint, ...args], {
      env: { PATH: `${bin}:/usr/bin:/bin`, LIANDONG_APP: "/app", ...env },
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      onStdout?.(stdout, child.pid ?? 0)
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr, pid: child.pid ?? 0 }))
  })

/** How infra/entrypoint.sh runs the server and the worker: from their bundles, with the engine's node flags. */
const serverArgs = "--max-semi-space-size=8 /app/apps/cli/dist/server.mjs"
const workerArgs = "--max-semi-space-size=8 /app/apps/cli/dist/worker.mjs"

/** What the stub node printed: its pid, its arguments and the worker setting it was given. */
const nodeRun = (stdout: string) => {
  const match = /^node pid=(\d+) worker=(\S*) args=(.*)$/mu.exec(stdout)
  return match === null ? undefined : { pid: Number(match[1]), worker: match[2], args: match[3] }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "liandong-entrypoint-"))
  bin = join(dir, "bin")
  await mkdir(bin)
  // The stub: reports itself, then either exits as told or waits for SIGTERM and exits 0 on it
  // (giving up after about two minutes, so that no stub outlives a failed test for long).
  await writeFile(
    join(bin, "node"),
    [
      "#!/bin/sh",
      'echo "node pid=$$ worker=$LIANDONG_WORKER args=$*"',
      'if [ -n "$STUB_EXIT" ]; then exit "$STUB_EXIT"; fi',
      "trap 'exit 0' TERM",
      "echo ready",
      "i=0",
      'while [ "$i" -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done',
      "exit 9",
      "",
    ].join("\n"),
  )
  await chmod(join(bin, "node"), 0o755)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("the embedded database needs a mounted volume", () => {
  it("refuses an unmounted folder, saying how to mount one or use PostgreSQL, and starts nothing", async () => {
    const result = await run(["server"], { LIANDONG_MOUNTINFO: await mountinfo("bare"), STUB_EXIT: "0" })
    expect(result.code).toBe(2)
    expect(nodeRun(result.stdout)).toBeUndefined()
    expect(result.stderr).toContain("拒绝启动")
    expect(result.stderr).toContain("refusing to start")
    expect(result.stderr).toContain("/var/lib/liandong/data")
    expect(result.stderr).toContain("docker run -v liandong:/var/lib/liandong")
    expect(result.stderr).toContain("DATABASE_HOST")
    expect(result.stderr).toContain("LIANDONG_EPHEMERAL=1")
  })

  it("refuses a folder whose name only begins like the volume's", async () => {
    const table = await mountinfo("sibling", [volumeAt("/var/lib/liandong")])
    const result = await run(["server"], {
      LIANDONG_MOUNTINFO: table,
      LIANDONG_DATA: "/var/lib/liandong-data",
      STUB_EXIT: "0",
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("refusing to start")
  })

  it("starts the server, worker in its process, on a volume mounted at the folder or above it", async () => {
    for (const mountPoint of ["/var/lib/liandong", "/var/lib/liandong/data"]) {
      const table = await mountinfo("volume", [volumeAt(mountPoint)])
      const result = await run(["server"], { LIANDONG_MOUNTINFO: table, STUB_EXIT: "0" })
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(nodeRun(result.stdout)).toEqual({ pid: result.pid, worker: "", args: serverArgs })
    }
  })

  it("reads a mount point with a space as the kernel writes it", async () => {
    const table = await mountinfo("space", [volumeAt("/srv/liandong\\040data")])
    const result = await run(["server"], {
      LIANDONG_MOUNTINFO: table,
      LIANDONG_DATA: "/srv/liandong data/db",
      STUB_EXIT: "0",
    })
    expect(result.code).toBe(0)
  })

  it("reads this machine's own mount table: /proc is always a mount point", async () => {
    const result = await run(["server"], { LIANDONG_DATA: "/proc/liandong", STUB_EXIT: "0" })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
  })

  it("starts on an unmounted folder when LIANDONG_EPHEMERAL=1 says the data may go", async () => {
    const result = await run(["server"], {
      LIANDONG_MOUNTINFO: await mountinfo("bare"),
      LIANDONG_EPHEMERAL: "1",
      STUB_EXIT: "0",
    })
    expect(result.code).toBe(0)
    expect(nodeRun(result.stdout)?.args).toBe(serverArgs)
  })

  it("refuses the server without its worker on the embedded database: nothing would be processed", async () => {
    const table = await mountinfo("volume", [volumeAt("/var/lib/liandong")])
    const result = await run(["server"], { LIANDONG_MOUNTINFO: table, LIANDONG_WORKER: "off", STUB_EXIT: "0" })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("LIANDONG_WORKER=off")
    expect(nodeRun(result.stdout)).toBeUndefined()
  })

  it("refuses a separate worker on the embedded database", async () => {
    const table = await mountinfo("volume", [volumeAt("/var/lib/liandong")])
    const result = await run(["worker"], { LIANDONG_MOUNTINFO: table, STUB_EXIT: "0" })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("a separate worker needs PostgreSQL")
  })
})

describe("on PostgreSQL", () => {
  // No mount table at all: with PostgreSQL settings the entry point must not look for one.
  const missing = () => join(dir, "no-such.mountinfo")

  it("execs the server and the worker without the mount check, whichever setting names the database", async () => {
    const settings: Array<Record<string, string>> = [
      { DATABASE_HOST: "postgres", DATABASE_NAME: "liandong", DATABASE_USER: "liandong_app" },
      { DATABASE_URL_FILE: "/run/secrets/database_url" },
      { DATABASE_URL: "postgres://liandong_app@postgres/liandong" },
    ]
    for (const database of settings) {
      const server = await run(["server"], {
        ...database,
        LIANDONG_MOUNTINFO: missing(),
        LIANDONG_WORKER: "off",
        STUB_EXIT: "0",
      })
      expect(server.stderr).toBe("")
      expect(nodeRun(server.stdout)).toEqual({ pid: server.pid, worker: "off", args: serverArgs })
      const worker = await run(["worker"], { ...database, LIANDONG_MOUNTINFO: missing(), STUB_EXIT: "0" })
      expect(worker.stderr).toBe("")
      expect(nodeRun(worker.stdout)).toEqual({ pid: worker.pid, worker: "", args: workerArgs })
    }
  })

  it("passes node's exit code through, and SIGTERM reaches node itself: 0 on a graceful stop", async () => {
    const env = { DATABASE_HOST: "postgres", LIANDONG_MOUNTINFO: missing() }
    const failed = await run(["worker"], { ...env, STUB_EXIT: "3" })
    expect(failed.code).toBe(3)

    let signalled = false
    const stopped = await run(["worker"], env, (stdout, pid) => {
      if (!signalled && stdout.includes("ready")) {
        signalled = true
        process.kill(pid, "SIGTERM")
      }
    })
    expect(signalled).toBe(true)
    expect(stopped.code).toBe(0)
    expect(nodeRun(stopped.stdout)?.pid).toBe(stopped.pid)
  })
})

describe("any other command", () => {
  it("runs as given, with no check, its exit code the container's", async () => {
    const result = await run(["sh", "-c", "echo other; exit 7"], { LIANDONG_MOUNTINFO: await mountinfo("bare") })
    expect(result.stdout).toBe("other\n")
    expect(result.code).toBe(7)
  })
})
