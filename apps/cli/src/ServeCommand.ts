/**
 * `liandong serve`: starts the HTTP API (apps/server, from its bundle by bin/server.mjs) as a child process, so
 * the CLI and the server stay separate programs; the settings pass through
 * the environment (PORT, HOST, DATABASE_URL…), `--now` as LIANDONG_NOW. The
 * CLI opens no database itself: the embedded one belongs to the server.
 *
 * The child is a resource of the command: when the CLI is stopped (SIGTERM,
 * SIGINT, which interrupt it), the release stops the server with SIGTERM and
 * waits for it, so the CLI exits with the server's own clean exit (0) and
 * leaves nothing running. Were the CLI killed outright, the server sees its
 * IPC channel close and stops itself.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { programNodeFlags } from "@liandong/engine/process"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { run } from "./Run.ts"

// The server's launcher: its bundle when fresh, else its sources (bin/launch.mjs). From src/ and
// from dist/ alike, one level down from apps/cli.
const serverLauncher = resolve(import.meta.dirname, "..", "bin", "server.mjs")
const serverMain = resolve(import.meta.dirname, "..", "..", "server", "src", "main.ts")
const serverBundle = resolve(import.meta.dirname, "..", "dist", "server.mjs")

/** How long a stopping server may take before it is killed (its own HTTP grace period is 20 s). */
const stopGraceMs = 60_000

interface Server {
  readonly child: ChildProcess
  /** Its exit code (1 when a signal ended it, or it could not start). */
  readonly exited: Promise<number>
}

const startServer = (env: NodeJS.ProcessEnv): Server => {
  const child = spawn(process.execPath, [...programNodeFlags, serverLauncher], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env,
  })
  const exited = new Promise<number>((resume) => {
    child.once("exit", (code) => resume(code ?? 1))
    child.once("error", () => resume(1))
  })
  return { child, exited }
}

const stopServer = ({ child, exited }: Server) =>
  Effect.promise(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
    const kill = setTimeout(() => child.kill("SIGKILL"), stopGraceMs)
    const code = await exited
    clearTimeout(kill)
    if (code !== 0) process.exitCode = code
  })

/** The serve command. */
export const serveCommand = Command.make("serve", {}, () =>
  run(
    function* (ctx) {
      if (!existsSync(serverLauncher) || !(existsSync(serverMain) || existsSync(serverBundle))) {
        return `找不到服务程序 ${serverMain} / the server is not in this checkout; run pnpm serve from the repository`
      }
      const env = ctx.now === undefined ? process.env : { ...process.env, LIANDONG_NOW: ctx.now }
      const code = yield* Effect.scoped(
        Effect.acquireRelease(
          Effect.sync(() => startServer(env)),
          stopServer,
        ).pipe(Effect.flatMap((server) => Effect.promise(() => server.exited))),
      )
      process.exitCode = code
      return ""
    },
    { database: false },
  ),
).pipe(Command.withDescription("启动 HTTP 接口和网页(及后台处理) / start the HTTP API, the web UI and the worker"))
