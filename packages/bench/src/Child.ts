/**
 * One part of the benchmark in a process of its own, so that each part's
 * peak RSS is its own: the driver forks this file with a task and gets the
 * figures back over IPC.
 */
import { Effect } from "effect"
import { type AuditOfflineFigures, auditOffline } from "./AuditOffline.ts"
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

const send = (answer: Answer) => process.send?.(answer)

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

if (process.send !== undefined && process.argv[2] !== undefined) {
  const task = JSON.parse(process.argv[2]) as Task
  runTask(task, (line) => send({ type: "progress", line })).then(
    (figures) => {
      send({ type: "done", figures })
      process.disconnect()
    },
    (error: unknown) => {
      send({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      process.disconnect()
    },
  )
}
