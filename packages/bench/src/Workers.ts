/**
 * The worker side of a run. On PostgreSQL: several worker processes (see
 * WorkerProcess.ts) whose clock the driver moves over IPC. On PGlite: the
 * engine's worker as a fiber of the driver's own process, on the driver's
 * clock, since an embedded database has one process.
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { programNodeFlags } from "@liandong/engine/process"
import type { Db } from "@liandong/engine/runtime"
import { Clock, type Log, type Signer } from "@liandong/engine/runtime"
import { runWorker } from "@liandong/engine/worker"
import { Effect, Fiber, type ManagedRuntime } from "effect"
import type { FromWorker, ToWorker } from "./WorkerProcess.ts"

/** What the driver needs from its workers. */
export interface Workers {
  /** Moves the workers' campaign clock to `at` and returns once each has it. */
  readonly setClock: (at: number) => Promise<void>
  /** Stops every worker between items; the peak RSS (kB) of each worker process. */
  readonly stop: () => Promise<number[]>
  /** The worker processes (none when the worker is a fiber of this process). */
  readonly pids: () => ReadonlyArray<number>
}

// What the part was told to fork (the bundle, `Bundle.ts`), else the sources.
const entry = process.env.BENCH_WORKER_PROGRAM ?? fileURLToPath(new URL("./WorkerProcess.ts", import.meta.url))

/** Forks `count` worker processes on the database at `url`, their clock at `start`. */
export const workerProcesses = async (
  count: number,
  env: { url: string; key: string; start: number; pollMs: number },
): Promise<Workers> => {
  const children: ChildProcess[] = []
  const waiters = new Map<ChildProcess, (message: FromWorker) => void>()
  const next = (child: ChildProcess, type: FromWorker["type"]) =>
    new Promise<FromWorker>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`a worker process exited (${code}) before "${type}"`))
      child.once("exit", onExit)
      waiters.set(child, (message) => {
        if (message.type !== type) return
        child.off("exit", onExit)
        waiters.delete(child)
        resolve(message)
      })
    })
  for (let i = 0; i < count; i++) {
    const child = fork(entry, [], {
      execArgv: [...programNodeFlags],
      env: {
        ...process.env,
        DATABASE_URL: env.url,
        LIANDONG_KEY: env.key,
        BENCH_CLOCK: String(env.start),
        BENCH_POLL_MS: String(env.pollMs),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    })
    child.on("message", (message: FromWorker) => waiters.get(child)?.(message))
    children.push(child)
  }
  await Promise.all(children.map((child) => next(child, "ready")))
  const tell = (child: ChildProcess, message: ToWorker) => child.send(message)
  return {
    pids: () => children.flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    setClock: async (at) => {
      await Promise.all(
        children.map((child) => {
          const answered = next(child, "clock")
          tell(child, { type: "clock", at })
          return answered
        }),
      )
    },
    stop: async () => {
      const stopped = await Promise.all(
        children.map((child) => {
          const answered = next(child, "stopped")
          tell(child, { type: "stop" })
          return answered
        }),
      )
      return stopped.map((m) => (m.type === "stopped" ? m.maxRssKb : 0))
    },
  }
}

/** The worker as a fiber of this process, on the runtime's own (simulated) clock. */
export const workerFiber = (
  runtime: ManagedRuntime.ManagedRuntime<Db | Clock | Log | Signer, never>,
  pollMs: number,
): Workers => {
  const fiber = runtime.runFork(runWorker({ pollMs }))
  return {
    pids: () => [],
    setClock: (at) => runtime.runPromise(Effect.flatMap(Effect.service(Clock), (clock) => clock.set(new Date(at)))),
    stop: async () => {
      await runtime.runPromise(Fiber.interrupt(fiber))
      return []
    },
  }
}
