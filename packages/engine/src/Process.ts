/**
 * How a long-running process (the API server, a worker) ends: stopped by a signal is a clean
 * shutdown (exit 0); a failure to start or run is 1, reported as its one bilingual line when
 * it has one (a missing signing key, a data folder held by another process), else in full.
 */
import { Cause, Effect, Exit, type Runtime } from "effect"

/**
 * Node's flags for the long-running programs (the API server, a worker, the benchmark's
 * processes, which play their parts). V8 lets its young generation grow to two 64 MB
 * semi-spaces on a machine with memory to spare, and an engine process allocates briskly
 * (a step's JSON, a query's rows): with 8 MB semi-spaces a worker's peak RSS falls by about
 * 100 MB at the same CPU an event (docs/performance.md, "Memory of the programs").
 * infra/entrypoint.sh and the root package.json's scripts repeat them: shell and JSON cannot import.
 */
export const programNodeFlags: ReadonlyArray<string> = ["--max-semi-space-size=8"]

/** The exit code: 0 after success or a signal's interruption, 1 after a failure. */
export const processTeardown: Runtime.Teardown = (exit, onExit) =>
  onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1)

/** Prints why the process failed: the error's own Chinese and English line, or the whole cause. */
export const reportFailure = (cause: Cause.Cause<unknown>) =>
  Effect.sync(() => {
    if (Cause.hasInterruptsOnly(cause)) return
    const error = Cause.squash(cause)
    if (typeof error === "object" && error !== null && "zh" in error && "en" in error) {
      console.error(`错误:${String(error.zh)} | error: ${String(error.en)}`)
    } else {
      console.error(Cause.pretty(cause))
    }
  })
