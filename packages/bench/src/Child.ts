/**
 * One part of the benchmark in a process of its own, so that each part's
 * peak RSS is its own: the driver forks this file with a task and gets the
 * figures back over IPC.
 */
import { Effect } from "effect"
import { type AuditOfflineFigures, auditOffline } from "./AuditOffline.ts"
import { dropBenchDatabases } from "./Database.ts"
import { type PeerFigures, runPeer } from "./Peer.ts"
import { peakRssKb } from "./Rss.ts"
import { type RunFigures, type RunOptions, runLiandong } from "./Run.ts"

/** What a child is asked to do. */
export type Task =
  | { readonly kind: "liandong"; readonly options: Omit<RunOptions, "progress"> }
  | { readonly kind: "peer"; readonly options: Parameters<typeof runPeer>[0] }
  | { readonly kind: "audit"; readonly rows: number }

/** What a child sends back. */
export type Answer =
  | { readonly type: "progress"; readonly line: string }
  | { readonly type: "done"; readonly figures: RunFigures | PeerFigures | (AuditOfflineFigures & { rssMb: number }) }
  | { readonly type: "failed"; readonly error: string }

// Nothing is sent once the channel is closed (the parent gone): the part is about to stop.
const send = (answer: Answer) => (process.connected ? process.send?.(answer) : undefined)

/** Runs one task in this process. */
export const runTask = async (task: Task, progress: (line: string) => void) => {
  switch (task.kind) {
    case "liandong":
      return runLiandong({ ...task.options, progress })
    case "peer":
      return runPeer(task.options)
    case "audit": {
      const figures = await Effect.runPromise(auditOffline(task.rows))
      return { ...figures, rssMb: Math.round(peakRssKb() / 1024) }
    }
  }
}

/**
 * A part whose parent is gone (its IPC channel closed) or that is told to stop (SIGINT,
 * SIGTERM) drops the databases it created and exits; its worker processes, whose channel
 * closes with it, exit too. Nothing of a run is left running or on the server.
 */
let stopping = false
const stopHalfWay = (code: number) => () => {
  // One stop however many of the three reasons arrive: the databases are dropped once.
  if (stopping) return
  stopping = true
  dropBenchDatabases().then(
    () => process.exit(code),
    (error: unknown) => {
      console.error(error)
      process.exit(code)
    },
  )
}

if (process.send !== undefined && process.argv[2] !== undefined) {
  const task = JSON.parse(process.argv[2]) as Task
  let answered = false
  process.on("disconnect", () => {
    if (!answered) stopHalfWay(1)()
  })
  process.once("SIGINT", stopHalfWay(130))
  process.once("SIGTERM", stopHalfWay(143))
  runTask(task, (line) => send({ type: "progress", line })).then(
    (figures) => {
      answered = true
      send({ type: "done", figures })
      process.disconnect()
    },
    (error: unknown) => {
      answered = true
      send({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      process.disconnect()
    },
  )
}
