/**
 * Bundles the command line into apps/cli/dist/liandong.mjs with rolldown: Node
 * loads one file in a fraction of the time it takes to resolve, read and strip
 * the types of the hundreds of modules behind src/main.ts. A stamp beside the
 * bundle lists the files it was built from with their modification times;
 * bin/liandong.mjs runs the bundle only while every one of them is unchanged.
 *
 * The same build makes the SDK that `liandong init` places in a campaign project:
 * dist/sdk, the package @liandong/workflow as one ES module (packages/workflow/src/Sdk.ts,
 * Effect inlined) with the declarations of packages/workflow/sdk/index.d.ts.
 *
 * `node apps/cli/build.ts` builds; `--if-stale` only when the stamp no longer
 * matches the sources; `--sdk [folder]` only the SDK; `--ensure` as the launcher needs it.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/** The CLI's folder (apps/cli). */
export const cliDir = import.meta.dirname
/** Where the bundle, its stamp and the build lock go. */
export const distDir = join(cliDir, "dist")
/** The bundle. At the same depth as src/, so paths resolved from its own folder land in the same places. */
export const bundleFile = join(distDir, "liandong.mjs")
/**
 * The HTTP API's and the worker's programs (apps/server/src/main.ts, apps/worker/src/main.ts),
 * bundled by the same build beside the CLI's: a process started from one file holds about 100 MB
 * less than one that loaded and stripped the types of every module (docs/performance.md).
 */
const programBundles = {
  server: join(distDir, "server.mjs"),
  worker: join(distDir, "worker.mjs"),
} as const
const programSources = {
  server: resolve(cliDir, "..", "server", "src", "main.ts"),
  worker: resolve(cliDir, "..", "worker", "src", "main.ts"),
} as const
/** What the bundle was built from: `{ builtAt, files: [[path relative to apps/cli, mtimeMs], …] }`. */
export const stampFile = join(distDir, "liandong.stamp.json")
const lockFile = join(distDir, "liandong.build.lock")
/** The SDK: what `liandong init` copies into a campaign project's node_modules/@liandong/workflow. */
export const sdkDir = join(distDir, "sdk")
/** packages/workflow, as the CLI resolves it (from a copy of the CLI too, as the launcher's test makes). */
const workflowDir = dirname(dirname(fileURLToPath(import.meta.resolve("@liandong/workflow"))))

/** The stamp's shape. */
export interface Stamp {
  readonly builtAt: string
  readonly files: ReadonlyArray<readonly [string, number]>
}

// PGlite loads its .wasm and .data files from beside its own module, and resvg (the summary's charts)
// is a native addon, so each stays a package of its own (a dependency of @liandong/cli, resolved from
// dist/); pg's optional native binding is never installed. TypeScript, which only `liandong check`
// loads (the project's own first), stays a package too: bundled, it would slow every command's start.
const external = [/^@electric-sql\/pglite(\/|$)/, /^@resvg\/resvg-js(\/|$)/, /^typescript(\/|$)/, "pg-native"]

/** True when the bundle and its stamp exist and every file the stamp lists still has its recorded mtime. */
export const bundleIsFresh = (): boolean => {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, "utf8")) as Stamp
    if (!existsSync(bundleFile) || stamp.files.length === 0) return false
    for (const name of ["server", "worker"] as const)
      if (existsSync(programSources[name]) && !existsSync(programBundles[name])) return false
    if (!existsSync(join(sdkDir, "index.js"))) return false
    return stamp.files.every(([file, mtime]) => statSync(resolve(cliDir, file)).mtimeMs === mtime)
  } catch {
    return false
  }
}

/** The package.json of the package a source file belongs to. */
const packageJsonOf = (file: string): string | undefined => {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "package.json")
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/**
 * Builds the SDK into `out` (default dist/sdk): index.js, one ES module with its dependencies
 * inlined; index.d.ts, declarations that need no other package; package.json and README.md.
 * Answers the workspace's source files it was built from.
 */
export const buildSdk = async (out = sdkDir): Promise<string[]> => {
  const { build } = await import("rolldown")
  const temporary = `${out}.${process.pid}`
  rmSync(temporary, { recursive: true, force: true })
  const result = await build({
    input: join(workflowDir, "src", "Sdk.ts"),
    platform: "node",
    logLevel: "warn",
    output: { file: join(temporary, "index.js"), format: "esm", codeSplitting: false },
  })
  const manifest = JSON.parse(readFileSync(join(workflowDir, "package.json"), "utf8")) as { version: string }
  const pkg = {
    name: "@liandong/workflow",
    version: manifest.version,
    description: "联动 Liandong 活动定义 SDK / the campaign definition SDK of Liandong",
    type: "module",
    exports: { ".": { types: "./index.d.ts", default: "./index.js" }, "./package.json": "./package.json" },
    types: "./index.d.ts",
    sideEffects: false,
    engines: { node: ">=24" },
  }
  writeFileSync(join(temporary, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`)
  for (const file of ["index.d.ts", "README.md"]) {
    writeFileSync(join(temporary, file), readFileSync(join(workflowDir, "sdk", file)))
  }
  rmSync(out, { recursive: true, force: true })
  renameSync(temporary, out)
  const chunk = result.output.find((part) => part.type === "chunk")
  const sources = (chunk?.moduleIds ?? []).filter((id) => id.startsWith("/") && !id.split("/").includes("node_modules"))
  return [...sources, join(workflowDir, "sdk", "index.d.ts"), join(workflowDir, "sdk", "README.md")]
}

/**
 * Builds the bundle and the SDK, then the stamp: the workspace's source files in it, their packages'
 * package.json, the lockfile (for the dependencies) and this file. A file that changed while
 * the build ran leaves the bundle unstamped, so the next run builds again.
 */
export const buildCli = async (): Promise<{ file: string; seconds: number; files: number; stamped: boolean }> => {
  const { build } = await import("rolldown")
  const started = Date.now()
  /** Bundles `input` to a temporary file beside `file`; its workspace sources and the file to rename. */
  const bundle = async (input: string, file: string) => {
    const temporary = `${file.slice(0, -".mjs".length)}.${process.pid}.mjs`
    const result = await build({
      input,
      platform: "node",
      external,
      logLevel: "warn",
      output: { file: temporary, format: "esm", codeSplitting: false },
    })
    const chunk = result.output.find((part) => part.type === "chunk")
    const ids = (chunk?.moduleIds ?? []).filter((id) => id.startsWith("/") && !id.split("/").includes("node_modules"))
    return { ids, temporary, file }
  }
  const built = [await bundle(join(cliDir, "src", "main.ts"), bundleFile)]
  // Beside the server's and the worker's sources (a copy of the CLI alone has none).
  for (const name of ["server", "worker"] as const)
    if (existsSync(programSources[name])) built.push(await bundle(programSources[name], programBundles[name]))
  const sources = [...new Set(built.flatMap((one) => one.ids))]
  const root = resolve(cliDir, "..", "..")
  const sdkSources = await buildSdk()
  const files = new Set<string>([...sources, ...sdkSources, join(cliDir, "build.ts"), join(root, "pnpm-lock.yaml")])
  for (const source of [...sources, ...sdkSources]) {
    const manifest = packageJsonOf(source)
    if (manifest !== undefined) files.add(manifest)
  }
  const stamped = [...files].filter(existsSync).map((file) => [relative(cliDir, file), statSync(file).mtimeMs] as const)
  for (const one of built) renameSync(one.temporary, one.file)
  const unchanged = stamped.every(([, mtime]) => mtime < started - 100)
  if (unchanged) {
    const stamp: Stamp = { builtAt: new Date().toISOString(), files: stamped }
    const lines = stamp.files.map((entry) => JSON.stringify(entry)).join(",\n  ")
    writeFileSync(`${stampFile}.${process.pid}`, `{ "builtAt": "${stamp.builtAt}", "files": [\n  ${lines}\n] }\n`)
    renameSync(`${stampFile}.${process.pid}`, stampFile)
  } else rmSync(stampFile, { force: true })
  return { file: bundleFile, seconds: (Date.now() - started) / 1000, files: stamped.length, stamped: unchanged }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** True when the build lock's process is gone, or the lock is older than `patience`. */
const abandoned = (patience: number) => {
  try {
    const holder = Number.parseInt(readFileSync(lockFile, "utf8") || "0", 10)
    return (holder > 0 && !alive(holder)) || Date.now() - statSync(lockFile).mtimeMs > patience
  } catch {
    return false
  }
}

/**
 * Makes the bundle fresh, building it at most once however many processes ask at the same
 * time: one takes the lock and builds, the others wait for it (a lock whose process is gone,
 * or older than the patience, is taken over). True when a fresh bundle is there afterwards.
 */
export const ensureCliBuilt = async (options: { onBuild?: () => void; patienceMs?: number } = {}): Promise<boolean> => {
  const patience = options.patienceMs ?? 120_000
  const deadline = Date.now() + patience
  mkdirSync(distDir, { recursive: true })
  while (!bundleIsFresh()) {
    if (Date.now() > deadline) return false
    let lock: number
    try {
      lock = openSync(lockFile, "wx")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      if (abandoned(patience)) rmSync(lockFile, { force: true })
      else await new Promise((done) => setTimeout(done, 100))
      continue
    }
    try {
      writeFileSync(lock, String(process.pid))
      if (bundleIsFresh()) break
      options.onBuild?.()
      await buildCli()
    } finally {
      closeSync(lock)
      rmSync(lockFile, { force: true })
    }
  }
  return true
}

const say = (zh: string, en: string) => process.stderr.write(`liandong: ${zh} / ${en}\n`)

/**
 * `--ensure`, what bin/liandong.mjs runs when the bundle is stale: ensureCliBuilt, saying so when
 * this process builds. Exit code 0: the bundle is fresh; 3: no bundler (an install without
 * devDependencies), quietly; 1: the build failed, said why; 2: another's build never finished.
 */
const ensureForLauncher = async () => {
  const first = !existsSync(bundleFile)
  try {
    const built = await ensureCliBuilt({
      onBuild: () =>
        first
          ? say("首次运行,正在打包命令行", "first run: building the command line bundle")
          : say("源码有改动,正在重新打包命令行", "the sources changed: rebuilding the command line bundle"),
    })
    process.exitCode = built ? 0 : 2
  } catch (error) {
    const { code, message } = (error ?? {}) as NodeJS.ErrnoException
    if (code === "ERR_MODULE_NOT_FOUND" && String(message).includes("rolldown")) process.exitCode = 3
    else {
      const reason = String(message ?? error).split("\n")[0]
      say("打包失败,改为直接运行源码", `the bundle could not be built, running the sources (${reason})`)
      process.exitCode = 1
    }
  }
}

// `node apps/cli/build.ts` builds; with `--if-stale` only when the stamp does not match the sources;
// `--sdk [folder]` builds only the SDK, into dist/sdk or the folder given.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sdk = process.argv.indexOf("--sdk")
  if (process.argv.includes("--ensure")) await ensureForLauncher()
  else if (sdk >= 0) {
    const out = resolve(process.argv[sdk + 1] ?? sdkDir)
    await buildSdk(out)
    console.log(`${out}: the SDK @liandong/workflow, built`)
  } else if (process.argv.includes("--if-stale") && bundleIsFresh()) console.log(`${bundleFile}: up to date`)
  else {
    const built = await buildCli()
    console.log(`${built.file}: built from ${built.files} files in ${built.seconds} s`)
  }
}
