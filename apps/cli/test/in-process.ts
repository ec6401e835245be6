/**
 * The `liandong` command tree run inside the test's own process: the same commands, flags,
 * output and exit codes as the launcher gives, without starting two Node processes and
 * loading the bundle for every call. For tests about what commands do, not about the process
 * (its launcher, signals, environment, logs on stderr): those use `liandong` from cli.ts.
 *
 * The environment and `process.exitCode` are the process's, so calls run one at a time; each
 * sets its variables for its own run and puts them back after it.
 */
import { format } from "node:util"
import { NodeServices } from "@effect/platform-node"
import { Cause, Console, Effect, Exit } from "effect"
import { Command } from "effect/cli"
import { cli } from "../src/Cli.ts"
import { type CliResult, testKeyFile } from "./cli.ts"

let queue: Promise<unknown> = Promise.resolve()

const runOnce = async (args: ReadonlyArray<string>, env: Record<string, string>): Promise<CliResult> => {
  const vars: Record<string, string> = { LOG_LEVEL: "warn", LIANDONG_KEY: testKeyFile(), ...env }
  const saved = new Map(Object.keys(vars).map((name) => [name, process.env[name]]))
  const exitCode = process.exitCode
  let stdout = ""
  let stderr = ""
  const console: Console.Console = {
    ...globalThis.console,
    log: (...items: ReadonlyArray<unknown>) => {
      stdout += `${format(...items)}\n`
    },
    info: (...items: ReadonlyArray<unknown>) => {
      stdout += `${format(...items)}\n`
    },
    error: (...items: ReadonlyArray<unknown>) => {
      stderr += `${format(...items)}\n`
    },
    warn: (...items: ReadonlyArray<unknown>) => {
      stderr += `${format(...items)}\n`
    },
  }
  Object.assign(process.env, vars)
  process.exitCode = undefined
  try {
    const exit = await Effect.runPromiseExit(
      Command.runWith(cli, { version: "0.1.0" })(args).pipe(
        Effect.provide(NodeServices.layer),
        Effect.provideService(Console.Console, console),
      ),
    )
    // As main.ts's teardown: a failure exits 1, else the exit code the command set.
    if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
      stderr += `${Cause.pretty(exit.cause)}\n`
      return { code: 1, stdout, stderr }
    }
    return { code: Number(process.exitCode ?? 0), stdout, stderr }
  } finally {
    process.exitCode = exitCode
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

/** Runs `liandong ...args` in this process with extra environment (as cli.ts's `liandong`); never throws on a failure. */
export const liandongInProcess = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
): Promise<CliResult> => {
  const result = queue.then(() => runOnce(args, env))
  queue = result.catch(() => undefined)
  return result
}
