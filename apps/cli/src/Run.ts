/**
 * Runs a command body with the app's services, prints its output, and turns
 * any failure into one bilingual line and a non-zero exit code.
 */
import { Cause, Console, Effect, Exit } from "effect"
import { errorLine } from "./Output.ts"
import { context } from "./Root.ts"

type Context = Effect.Success<typeof context>

/** Runs `body` (a generator returning the text to print) for a CLI command. */
export const run = (body: (ctx: Context) => Generator<any, string, any>, options: { database?: boolean } = {}) =>
  Effect.gen(function* () {
    const ctx = yield* context
    const program = Effect.gen(() => body(ctx)) as Effect.Effect<string, unknown, never>
    // Some commands (verifying an export) must work with no database at all.
    const exit = yield* Effect.exit(options.database === false ? program : Effect.provide(program, ctx.layer))
    if (Exit.isSuccess(exit)) {
      if (exit.value !== "") yield* Console.log(exit.value)
      return
    }
    const failure = Cause.findErrorOption(exit.cause)
    yield* Console.error(errorLine(failure._tag === "Some" ? failure.value : Cause.squash(exit.cause)))
    if (ctx.debug) yield* Console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  })
