/**
 * A worker on a simulated calendar, in a process of its own: `node calendar.ts <database url>
 * <key file>` reads campaign times from stdin, one per line, moves its clock there, applies
 * everything due (the engine's `runUntilIdle`, as `liandong worker --until-idle --now` does)
 * and prints the tally as a JSON line. Several share one queue, as workers do.
 */
import { createInterface } from "node:readline"
import { Clock } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import { Effect } from "effect"
import { openEngine } from "./engine.ts"

const [databaseUrl, keyFile] = process.argv.slice(2) as [string, string]
const engine = await openEngine({ databaseUrl, keyFile, now: "2000-01-01T00:00:00Z", poolSize: 2 })
for await (const line of createInterface({ input: process.stdin })) {
  const at = new Date(line.trim())
  const tally = await engine.run(
    Effect.gen(function* () {
      yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.set(at))
      return yield* runUntilIdle(at)
    }),
  )
  process.stdout.write(`${JSON.stringify({ at: at.toISOString(), ...tally })}\n`)
}
await engine.close()
