/** `liandong worker`: run the worker, forever or once until idle at a given time. */
import { Clock, requireSigningKey } from "@liandong/engine/runtime"
import { runUntilIdle, runWorker } from "@liandong/engine/worker"
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { json } from "./Output.ts"
import { run } from "./Run.ts"

/** The worker command. */
export const workerCommand = Command.make(
  "worker",
  {
    untilIdle: Flag.Boolean("until-idle").pipe(
      Flag.withDescription("process everything due now (or at --now), then exit"),
      Flag.withDefault(false),
    ),
    poll: Flag.Int("poll").pipe(
      Flag.withDescription("longest sleep between looks at the queue when no NOTIFY wakes the worker (ms)"),
      Flag.withDefault(1000),
    ),
  },
  ({ untilIdle, poll }) =>
    run(function* (ctx) {
      yield* requireSigningKey // a worker signs checkpoints: without the key it takes no work
      if (!untilIdle) {
        // SIGTERM/SIGINT interrupt the worker between items (see main.ts).
        yield* runWorker({ pollMs: poll })
        return ""
      }
      const now = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
      const tally = yield* runUntilIdle(now)
      return ctx.json
        ? json({ at: now.toISOString(), ...tally })
        : `${now.toISOString()}:处理事件 ${tally.applied} 个,失效 ${tally.moot} 个,生成总结 ${tally.summaries} 份,失败 ${tally.failed} 个 / applied ${tally.applied}, moot ${tally.moot}, summaries ${tally.summaries}, failed ${tally.failed}`
    }),
).pipe(Command.withDescription("运行后台处理程序 / run the worker"))
