/**
 * Runs the real `liandong` command in a child process, as a user would: through the
 * launcher (bin/liandong.mjs), so that the bundle is what the tests exercise. The bundle
 * is brought up to date here first, so that no run of the launcher rebuilds it (and says
 * so on stderr) in the middle of a test.
 */
import { execFile } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { provisionSigningKey } from "@liandong/engine/runtime"
import { ensureCliBuilt } from "../build.ts"

/** The launcher users run (`pnpm liandong`). */
export const launcher = fileURLToPath(new URL("../bin/liandong.mjs", import.meta.url))

let keyFile: string | undefined
/** This test file's signing key, made on first use in a folder of its own, as `liandong keys init` makes one. */
export const testKeyFile = (): string => {
  keyFile ??= provisionSigningKey(join(mkdtempSync(join(tmpdir(), "liandong-key-")), "key.pem")).path
  return keyFile
}

/** The outcome of one command. */
export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

let buildFailed = false
const fresh = async () => {
  if (buildFailed) return
  try {
    await ensureCliBuilt()
  } catch (error) {
    // The sources then fail the same way, and say so better: run those.
    buildFailed = true
    console.warn(`the CLI bundle does not build; running the sources: ${String(error).split("\n")[0]}`)
  }
}

/**
 * Runs `liandong ...args` with extra environment (LIANDONG_KEY is the test file's key unless
 * `env` says otherwise), in `options.cwd` when given; never throws on a non-zero exit.
 */
export const liandong = async (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  options: { readonly cwd?: string } = {},
): Promise<CliResult> => {
  await fresh()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [launcher, ...args],
      {
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        env: {
          ...process.env,
          LOG_LEVEL: "warn",
          LIANDONG_KEY: testKeyFile(),
          ...(buildFailed ? { LIANDONG_CLI_BUNDLE: "off" } : {}),
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/**
 * A data folder with the README's tour deployed, its coordinator (`lead`) and the contacts of
 * east and west registered, started on 12 April and its publicity phase opened on 13 April;
 * then `more` commands, each run by `run` (a process of its own unless a test says otherwise).
 * Fails the test when any command does not exit 0.
 */
export const tourWorkspace = async (
  prefix: string,
  more: ReadonlyArray<ReadonlyArray<string>> = [],
  run: (args: ReadonlyArray<string>, env: Record<string, string>) => Promise<CliResult> = liandong,
) => {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const env = { LIANDONG_DATA: join(dir, "data") }
  const { tour } = await import("@liandong/campaigns")
  const file = join(dir, "tour.json")
  await writeFile(file, JSON.stringify(tour))
  for (const args of [
    ["deploy", file],
    ["principal", "add", "lead", "--name", "王局长", "--role", "coordinator", "--unit", "city-ipo"],
    ["principal", "add", "east", "--name", "东区联络员", "--role", "unit", "--unit", "east-district"],
    ["principal", "add", "west", "--name", "西区联络员", "--role", "unit", "--unit", "west-district"],
    ["start", "tour-2026", "--as", "lead", "--now", "2026-04-12T09:00+08:00"],
    ["worker", "--until-idle", "--now", "2026-04-13T09:00+08:00"],
    ...more,
  ]) {
    const result = await run(args, env)
    if (result.code !== 0) throw new Error(`liandong ${args.join(" ")} exited ${result.code}: ${result.stderr}`)
  }
  return { dir, env }
}
