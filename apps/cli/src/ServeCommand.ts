/**
 * `liandong serve`: starts the HTTP API (apps/server) as a child process, so
 * the CLI and the server stay separate programs; the settings pass through
 * the environment (PORT, HOST, DATABASE_URL…), `--now` as LIANDONG_NOW. The
 * CLI opens no database itself: the embedded one belongs to the server.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { run } from "./Run.ts"

const serverMain = resolve(import.meta.dirname, "..", "..", "server", "src", "main.ts")

/** The serve command. */
export const serveCommand = Command.make("serve", {}, () =>
  run(
    function* (ctx) {
      if (!existsSync(serverMain)) {
        return `找不到服务程序 ${serverMain} / the server is not in this checkout; run pnpm serve from the repository`
      }
      const env = ctx.now === undefined ? process.env : { ...process.env, LIANDONG_NOW: ctx.now }
      const code = yield* Effect.callback<number>((resume) => {
        const child = spawn(process.execPath, [serverMain], { stdio: "inherit", env })
        const stop = (signal: NodeJS.Signals) => () => child.kill(signal)
        const onInt = stop("SIGINT")
        const onTerm = stop("SIGTERM")
        process.on("SIGINT", onInt)
        process.on("SIGTERM", onTerm)
        child.on("exit", (exitCode) => {
          process.off("SIGINT", onInt)
          process.off("SIGTERM", onTerm)
          resume(Effect.succeed(exitCode ?? 0))
        })
      })
      process.exitCode = code
      return ""
    },
    { database: false },
  ),
).pipe(Command.withDescription("启动 HTTP 接口和网页(及后台处理) / start the HTTP API, the web UI and the worker"))
