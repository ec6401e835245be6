/**
 * The image's contents without an engine: infra/runtime-tree.sh (what the final stage copies to
 * /app) assembled from a copy of the sources, then checked for what must not be there and run —
 * the server and a worker start from it with production dependencies only. And infra/Dockerfile's
 * promises: a base pinned by digest, an exact pnpm, tini first, liveness on /healthz.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { generateKeyPairSync } from "node:crypto"
import { existsSync } from "node:fs"
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))

let dir: string
let out: string

/** Every file and folder under `folder`, relative to it, not following links. */
const walk = async (folder: string): Promise<string[]> => {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries.map((entry) => relative(folder, join(entry.parentPath, entry.name)))
}

/** Starts `node file` in `cwd` with the flags infra/entrypoint.sh gives; resolves once `ready` appears on its output. */
const start = (file: string, env: Record<string, string>, ready: RegExp) =>
  new Promise<{ child: ChildProcess; match: RegExpExecArray; exited: Promise<number | null> }>((resolve, reject) => {
    // The engine's programNodeFlags, as the entry point gives them.
    const child = spawn(process.execPath, ["--max-semi-space-size=8", file], {
      cwd: out,
      env: { PATH: process.env.PATH ?? "", ...env },
    })
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = ready.exec(output)
      if (match !== null) resolve({ child, match, exited })
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    void exited.then((code) => reject(new Error(`${basename(file)} exited (${code}) before it was ready:\n${output}`)))
  })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "liandong-image-"))
  const source = join(dir, "source")
  out = join(dir, "app")
  // What the build context holds (.dockerignore): manifests and sources, no tests, no node_modules.
  for (const file of ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", "infra/runtime-tree.sh"]) {
    await cp(join(root, file), join(source, file))
  }
  // The CLI's bundle, built as the image's build stage builds it (once, when stale).
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ["apps/cli/build.ts", "--if-stale"], { cwd: root }, (error, _stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`apps/cli/build.ts failed: ${stderr}`)),
    ),
  )
  await cp(join(root, "apps/cli/bin"), join(source, "apps/cli/bin"), { recursive: true })
  for (const bundle of ["liandong.mjs", "server.mjs", "worker.mjs"])
    await cp(join(root, "apps/cli/dist", bundle), join(source, "apps/cli/dist", bundle))
  await cp(join(root, "apps/cli/dist/sdk"), join(source, "apps/cli/dist/sdk"), { recursive: true })
  for (const group of ["packages", "apps"]) {
    for (const name of await readdir(join(root, group))) {
      const from = join(root, group, name)
      if (!existsSync(join(from, "package.json"))) continue
      await cp(join(from, "package.json"), join(source, group, name, "package.json"))
      if (existsSync(join(from, "src")))
        await cp(join(from, "src"), join(source, group, name, "src"), { recursive: true })
    }
  }
  // The web UI's build stands in as one page and its source map.
  await mkdir(join(source, "apps/web/dist/assets"), { recursive: true })
  await writeFile(join(source, "apps/web/dist/index.html"), "<!doctype html><title>runtime tree</title>")
  await writeFile(join(source, "apps/web/dist/assets/index.js.map"), "{}")

  await new Promise<void>((resolve, reject) =>
    execFile("sh", ["infra/runtime-tree.sh", out], { cwd: source }, (error, _stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`runtime-tree.sh failed: ${stderr}`)),
    ),
  )
}, 300_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("the image's /app", () => {
  it("holds the three programs' packages and the built UI, and no tests, bench, UI sources or source maps", async () => {
    const files = await walk(out)
    const ours = files.filter((path) => !path.startsWith("node_modules") && !path.includes("/node_modules"))
    for (const main of [
      "apps/server/src/main.ts",
      "apps/worker/src/main.ts",
      "apps/cli/src/main.ts",
      "apps/cli/bin/liandong.mjs",
      "apps/cli/dist/liandong.mjs",
      "apps/cli/dist/server.mjs",
      "apps/cli/dist/worker.mjs",
      "apps/cli/dist/sdk/index.js",
      "apps/cli/dist/sdk/index.d.ts",
    ]) {
      expect(ours).toContain(main)
    }
    expect(ours).toContain("packages/engine/src/entries/Runtime.ts")
    expect(ours).toContain("apps/web/dist/index.html")
    const unwanted = ours.filter(
      (path) =>
        /(^|\/)(test|docs|\.ci|bench)(\/|$)/u.test(path) ||
        path.startsWith("packages/bench") ||
        path.startsWith("apps/web/src") ||
        path.startsWith("infra") ||
        path.endsWith(".map") ||
        path.endsWith("Testing.ts"),
    )
    expect(unwanted).toEqual([])
  })

  it("has production dependencies only, without source maps or type declarations", async () => {
    const installed = await readdir(join(out, "node_modules/.pnpm"))
    // TypeScript is the CLI's (`liandong check`), with its own lib declarations; no other tool is there.
    expect(installed.some((entry) => entry.startsWith("typescript@"))).toBe(true)
    const tools = ["vitest", "vite", "@biomejs+biome", "playwright-core", "react", "react-dom"]
    const others = [
      "fast-check",
      "graphile-worker",
      "rolldown",
      "esbuild",
      "@vitest+runner",
      "@apidevtools+swagger-parser",
    ]
    const dev = installed.filter((entry) => [...tools, ...others].some((name) => entry.startsWith(`${name}@`)))
    expect(dev).toEqual([])
    expect(installed.some((entry) => entry.startsWith("effect@"))).toBe(true)
    expect(installed.some((entry) => entry.startsWith("@electric-sql+pglite@"))).toBe(true)
    const leftovers = (await walk(join(out, "node_modules/.pnpm"))).filter(
      (path) =>
        /\.(map|d\.ts|d\.mts|d\.cts|md)$|\.umd\.|\.iife\./u.test(path) && !/^(typescript@|@typescript\+)/u.test(path),
    )
    expect(leftovers).toEqual([])
  })

  it("runs: the CLI, then the server on an embedded folder (health, readiness, the UI), then a worker", async () => {
    // As infra/liandong.sh runs it: the launcher, the bundle unchecked.
    const cli = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        ["apps/cli/bin/liandong.mjs", "--help"],
        { cwd: out, env: { PATH: process.env.PATH ?? "", LIANDONG_CLI_BUNDLE: "on" } },
        (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout }),
      ),
    )
    expect(cli.code).toBe(0)
    expect(cli.stdout).toContain("liandong")

    const keyFile = join(dir, "keys", "checkpoint-ed25519.pem")
    await mkdir(join(dir, "keys"), { recursive: true })
    const { privateKey } = generateKeyPairSync("ed25519")
    await writeFile(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 })
    const env = { LIANDONG_DATA: join(dir, "data"), LIANDONG_KEY: keyFile, HOST: "127.0.0.1", PORT: "0" }

    // As infra/entrypoint.sh runs them: from their bundles.
    const server = await start("apps/cli/dist/server.mjs", env, /API: (http:\/\/\S+)/u)
    try {
      const url = server.match[1]!
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      expect((await fetch(`${url}/readyz`)).status).toBe(200)
      expect(await (await fetch(`${url}/`)).text()).toContain("runtime tree")
    } finally {
      server.child.kill("SIGTERM")
      await server.exited
    }

    const worker = await start("apps/cli/dist/worker.mjs", env, /worker started/u)
    worker.child.kill("SIGTERM")
    expect(await worker.exited).toBe(0)
    // Three programs started one after another on an embedded folder: on a busy machine each takes
    // seconds, so the limit is generous (it guards against hanging, it times nothing).
  }, 300_000)

  it("scaffolds a campaign project and type-checks it with the TypeScript it carries", async () => {
    const liandong = (args: string[], cwd: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [join(out, "apps/cli/bin/liandong.mjs"), ...args],
          { cwd, env: { PATH: process.env.PATH ?? "", LIANDONG_CLI_BUNDLE: "on" } },
          (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
        ),
      )
    const made = await liandong(["init", "campaign"], dir)
    expect(made.code, made.stderr).toBe(0)
    const checked = await liandong(["check"], join(dir, "campaign"))
    expect(checked.code, checked.stderr).toBe(0)
    expect(checked.stdout).toContain("检查通过 / check passed")
  }, 300_000)
})

describe("infra/Dockerfile", () => {
  let dockerfile: string
  beforeAll(async () => {
    dockerfile = await readFile(join(root, "infra/Dockerfile"), "utf8")
  })

  it("builds from one base pinned by digest, and the final stage from nothing else", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim@sha256:[0-9a-f]{64}$/mu)
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gmu)].map((match) => match[1])
    expect(bases.length).toBeGreaterThan(1)
    for (const base of bases) expect(base).toMatch(/^(\$\{NODE_IMAGE\}|scratch)$/u)
  })

  it("pins pnpm and every Debian package it installs in the runtime to exact versions", () => {
    expect(dockerfile).toMatch(/^ARG PNPM_VERSION=\d+\.\d+\.\d+$/mu)
    expect(dockerfile).toMatch(/npm install -g "pnpm@\$\{PNPM_VERSION\}"/u)
    const system = dockerfile.slice(dockerfile.indexOf("AS system"), dockerfile.indexOf("FROM scratch"))
    const packages = (/apt-get install ([^\n\\&]*)/u.exec(system)?.[1] ?? "")
      .split(/\s+/u)
      .filter((word) => word !== "" && !word.startsWith("-"))
    expect(packages.length).toBeGreaterThan(0)
    for (const name of packages) expect(name).toMatch(/^[a-z0-9.+-]+=\S+$/u)
  })

  it("runs tini first, the entry point under it, and checks liveness on /healthz, not readiness", () => {
    expect(dockerfile).toContain('ENTRYPOINT ["tini", "--", "liandong-entrypoint"]')
    const healthcheck = /^HEALTHCHECK[^\n]*\\\n\s*CMD ([^\n]+)/mu.exec(dockerfile)?.[1] ?? ""
    expect(healthcheck).toContain("/healthz")
    expect(dockerfile).not.toMatch(/^HEALTHCHECK[\s\S]*\/readyz/mu)
    // The server runs the worker by default: the embedded database needs it in the server's process.
    expect(dockerfile).not.toMatch(/^ENV[^\n]*(\\\n[^\n]*)*LIANDONG_WORKER/mu)
  })

  it("leaves secrets and local state out of the build context", async () => {
    const ignored = (await readFile(join(root, ".dockerignore"), "utf8")).split("\n")
    for (const entry of ["infra/secrets", ".git", "**/node_modules", "**/.liandong"]) expect(ignored).toContain(entry)
  })
})
