/**
 * The whole benchmark: the offline audit verification, Liandong on
 * PostgreSQL (several worker processes), Liandong on embedded PGlite (one
 * process, a smaller nation), then the peer doing the same number of unit
 * events on the same PostgreSQL server. Each part runs in its own process.
 */
import { execFileSync, fork } from "node:child_process"
import { cpus, loadavg } from "node:os"
import { programNodeFlags } from "@liandong/engine/process"
import type { AuditOfflineFigures } from "./AuditOffline.ts"
import { type BenchPrograms, bundlePrograms, sourcePrograms } from "./Bundle.ts"
import type { Answer, Task } from "./Child.ts"
import { type CliTimesFigures, runCliTimes } from "./CliTimes.ts"
import type { PeerFigures } from "./Peer.ts"
import type { RunFigures } from "./Run.ts"

/** The benchmark's settings. */
export interface BenchOptions {
  readonly units: number
  readonly pgliteUnits: number
  readonly seed: number
  readonly workers: number
  readonly concurrency: number
  /** hours the calendar moves at a time at full load */
  readonly stepHours: number
  /** the peer works at most this many events (its rate is steady long before) */
  readonly peerMaxEvents: number
  readonly auditRows: number
  readonly peer: boolean
  readonly pglite: boolean
  /** runs of each timed CLI command on each database (0 or absent: not timed) */
  readonly cliRuns?: number
  /** run the parts and workers from the TypeScript sources instead of bundles */
  readonly sources?: boolean
}

/** Everything one benchmark run measured. */
export interface BenchResult {
  readonly at: string
  readonly machine: {
    cpus: number
    node: string
    postgres: string | undefined
    /** the commit measured, when run from a git checkout */
    commit: string | undefined
    /** 1-minute load average at the start and at the end: other work on the machine shows here */
    loadAverage: [number, number]
    /** what the parts and worker processes ran: bundles (as deployed) or the sources; with which node flags */
    programs?: { from: "bundles" | "sources"; nodeFlags: ReadonlyArray<string> }
  }
  readonly options: BenchOptions
  readonly postgres: RunFigures
  readonly pglite: RunFigures | undefined
  readonly peer: PeerFigures | undefined
  readonly auditOffline: (AuditOfflineFigures & { rssMb: number }) | undefined
  readonly cli?: CliTimesFigures | undefined
}

const commitOf = (): string | undefined => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim()
  } catch {
    return undefined
  }
}

/**
 * Runs one part in a fresh process: `programs.child`, with `nodeFlags` (the engine's, as its
 * programs are deployed); its worker processes run `programs.worker`.
 */
export const inChild = <A>(
  task: Task,
  progress: (line: string) => void,
  programs: BenchPrograms = sourcePrograms,
  nodeFlags: ReadonlyArray<string> = programNodeFlags,
): Promise<A> =>
  new Promise((resolve, reject) => {
    const proc = fork(programs.child, [JSON.stringify(task)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: [...nodeFlags],
      env: { ...process.env, BENCH_WORKER_PROGRAM: programs.worker },
    })
    let settled = false
    proc.on("message", (answer: Answer) => {
      if (answer.type === "progress") progress(answer.line)
      else if (answer.type === "done") {
        settled = true
        resolve(answer.figures as A)
      } else {
        settled = true
        reject(new Error(answer.error))
      }
    })
    proc.on("exit", (code) => {
      if (!settled) reject(new Error(`the ${task.kind} part exited (${code}) without an answer`))
    })
  })

/** The programs bundled; the sources, said why, when they cannot be. */
const bundled = async (progress: (line: string) => void): Promise<BenchPrograms> => {
  try {
    return await bundlePrograms()
  } catch (error) {
    progress(`programs: not bundled, running the sources (${String((error as Error).message ?? error).split("\n")[0]})`)
    return sourcePrograms
  }
}

/** Runs every part of the benchmark. */
export const runBench = async (
  options: BenchOptions,
  progress: (line: string) => void,
  postgresVersion?: string,
): Promise<BenchResult> => {
  const loadAtStart = loadavg()[0] ?? 0
  const programs = options.sources === true ? sourcePrograms : await bundled(progress)
  const auditOffline =
    options.auditRows > 0
      ? await inChild<AuditOfflineFigures & { rssMb: number }>(
          { kind: "audit", rows: options.auditRows },
          progress,
          programs,
        )
      : undefined
  if (auditOffline) progress(`audit offline: ${auditOffline.rows} rows verified in ${auditOffline.verifySeconds} s`)
  const run = (database: "postgres" | "pglite", units: number) =>
    inChild<RunFigures>(
      {
        kind: "liandong",
        options: {
          database,
          units,
          seed: options.seed,
          workers: options.workers,
          concurrency: options.concurrency,
          stepHours: options.stepHours,
        },
      },
      progress,
      programs,
    )
  const postgres = await run("postgres", options.units)
  const pglite = options.pglite ? await run("pglite", options.pgliteUnits) : undefined
  const peer = options.peer
    ? await inChild<PeerFigures>(
        {
          kind: "peer",
          options: {
            jobs: Math.min(postgres.events, options.peerMaxEvents),
            units: options.units,
            workers: options.workers,
            concurrency: options.concurrency,
          },
        },
        progress,
        // The peer as before: its harness from the sources, node's defaults.
        sourcePrograms,
        [],
      )
    : undefined
  if (peer) progress(`peer: ${peer.jobs} jobs in ${peer.seconds} s`)
  const cli =
    (options.cliRuns ?? 0) > 0
      ? await runCliTimes({ runs: options.cliRuns ?? 0, pglite: options.pglite }, progress)
      : undefined
  return {
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      node: process.version,
      postgres: postgresVersion,
      commit: commitOf(),
      loadAverage: [Math.round(loadAtStart * 100) / 100, Math.round((loadavg()[0] ?? 0) * 100) / 100],
      programs: { from: programs === sourcePrograms ? "sources" : "bundles", nodeFlags: programNodeFlags },
    },
    options,
    postgres,
    pglite,
    peer,
    auditOffline,
    cli,
  }
}
