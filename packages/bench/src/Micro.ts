// A quick throughput probe: N concurrent acknowledgements after a phase opened.

import { acknowledge, startCampaign } from "@liandong/engine/commands"
import { runUntilIdle } from "@liandong/engine/worker"
import { Effect } from "effect"
import { openBench } from "./Setup.ts"

const start = Date.parse("2026-04-06T08:00:00+08:00")
const bench = await openBench({ kind: "postgres", units: 3000, seed: 1, poolSize: 20, start })
await bench.runtime.runPromise(startCampaign("national-ip-week", bench.principals.lead))
let t = performance.now()
const tally = await bench.runtime.runPromise(runUntilIdle(new Date(start + 3600_000)))
console.log("open", tally.applied, ((performance.now() - t) / tally.applied).toFixed(2), "ms/item sequential")
const units = bench.campaign.phases[0]!.participants
t = performance.now()
await bench.runtime.runPromise(
  Effect.forEach(
    units,
    (u) => acknowledge(`national-ip-week/${u}/plan`, bench.principals.liaison(u), { idempotencyKey: u }),
    { concurrency: 16 },
  ),
)
console.log("ack x16", (units.length / ((performance.now() - t) / 1000)).toFixed(0), "commands/s")
await bench.close()
