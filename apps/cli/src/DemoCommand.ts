/**
 * `liandong demo`: the seed campaign from the preparatory meeting to the
 * summary, on a fresh embedded database and a simulated calendar.
 */
import { resolve } from "node:path"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"

/** The demo command. */
export const demoCommand = Command.make(
  "demo",
  {
    data: Flag.String("data").pipe(Flag.withDescription("embedded database folder (wiped first)"), Flag.optional),
    out: Flag.String("out").pipe(
      Flag.withDescription("where summary.md, .html, .docx and the audit export go"),
      Flag.optional,
    ),
  },
  ({ data, out }) =>
    Effect.gen(function* () {
      const dataDir = resolve(Option.getOrElse(data, () => ".liandong/demo"))
      const outDir = resolve(Option.getOrElse(out, () => "out/demo"))
      // Loaded here: every other command starts without the seed campaigns.
      const { runDemo } = yield* Effect.promise(() => import("./demo/Run.ts"))
      yield* runDemo(dataDir, outDir)
    }),
).pipe(Command.withDescription("演示:种子活动从筹备到总结 / the seed campaign end to end"))
