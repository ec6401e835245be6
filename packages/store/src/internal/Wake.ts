/**
 * Wake-ups (NOTIFY) sent after the work they announce has committed, outside its transaction.
 *
 * A transaction that notifies holds, from its commit until the commit is flushed to disk, a
 * lock every notifying transaction takes: notifying transactions commit one flush at a time,
 * and twice as few of them commit a second as of the same transactions without (measured with
 * pgbench, docs/performance.md). A wake-up is a hint — listeners also look on their own
 * schedule — so it goes in a transaction of its own that does not wait for its flush. One is in
 * flight at a time; those asked for meanwhile go together in the next.
 */
import pg from "pg"
import { assertChannel } from "./Channel.ts"

/** Runs one text of several statements (no parameters), as the pool runs any query. */
export type RunText = (text: string) => Promise<unknown>

/** The wake-ups of a store: `wake` queues, `close` sends what is queued and stops. */
export const waker = (run: RunText, log: (message: string) => void) => {
  let queued = new Map<string, Set<string>>()
  let sending: Promise<void> | undefined
  let closed = false

  const textOf = (batch: ReadonlyMap<string, ReadonlySet<string>>) => {
    const notifies = [...batch].flatMap(([channel, payloads]) =>
      [...payloads].map((payload) => `pg_notify(${pg.escapeLiteral(channel)}, ${pg.escapeLiteral(payload)})`),
    )
    return `begin; set local synchronous_commit = off; select ${notifies.join(", ")}; commit`
  }

  const send = async () => {
    while (queued.size > 0) {
      const batch = queued
      queued = new Map()
      try {
        await run(textOf(batch))
      } catch (error) {
        // Lost: the listeners find the work when they next look.
        log(`wake-up not sent (${error instanceof Error ? error.message : String(error)})`)
      }
    }
    sending = undefined
  }

  return {
    /** Queues a NOTIFY of each payload on `channel`, sent once the current one (if any) is. */
    wake: (channel: string, payloads: Iterable<string>): void => {
      assertChannel(channel)
      if (closed) return
      let set = queued.get(channel)
      for (const payload of payloads) {
        if (set === undefined) {
          set = new Set()
          queued.set(channel, set)
        }
        set.add(payload)
      }
      if (queued.size > 0 && sending === undefined) sending = send()
    },
    /** Sends what is queued, then takes no more. */
    close: async (): Promise<void> => {
      await sending
      closed = true
    },
  }
}
