/**
 * A worker process of the peer: graphile-worker running the task that does
 * the same durable work per unit event as Liandong's minimum — one row's
 * jsonb state updated and one audit row inserted, in one transaction.
 */
import { Logger, run, type Task } from "graphile-worker"
import { peakRssKb } from "./Rss.ts"

/** What a peer worker answers the driver. */
export type FromPeerWorker = { readonly type: "ready" } | { readonly type: "stopped"; readonly maxRssKb: number }

/** One unit event: the unit's state moves on and the change is audited. */
export const unitEvent: Task = async (payload, helpers) => {
  const job = payload as { unit: string; event: string; sentAt: number }
  await helpers.withPgClient(async (client) => {
    await client.query("begin")
    try {
      await client.query(
        "update peer_units set state = state || jsonb_build_object('last', $2::text, 'at', $3::bigint), version = version + 1 where key = $1",
        [job.unit, job.event, job.sentAt],
      )
      await client.query("insert into peer_audit (unit_key, event, payload) values ($1, $2, $3)", [
        job.unit,
        job.event,
        JSON.stringify(job),
      ])
      await client.query("commit")
    } catch (error) {
      await client.query("rollback")
      throw error
    }
  })
}

const main = async () => {
  const concurrency = Number(process.env.PEER_CONCURRENCY ?? 8)
  const runner = await run({
    connectionString: process.env.DATABASE_URL as string,
    concurrency,
    maxPoolSize: concurrency + 2,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new Logger(() => () => undefined),
    taskList: { unit_event: unitEvent },
    // Its documented batching: a local queue of jobs per pool, and batched completions.
    preset: { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0 } },
  })
  let stopped = false
  process.on("message", (message: { type: string }) => {
    if (message.type !== "stop") return
    runner.stop().then(() => {
      stopped = true
      process.send?.({ type: "stopped", maxRssKb: peakRssKb() } satisfies FromPeerWorker)
      process.disconnect()
    })
  })
  process.send?.({ type: "ready" } satisfies FromPeerWorker)
  // Its part gone without a stop (the channel closed, or broken under a send): nothing is left
  // to do for anyone.
  process.on("disconnect", () => process.exit(stopped ? 0 : 1))
  process.on("error", () => process.exit(1))
}

if (process.send !== undefined)
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
