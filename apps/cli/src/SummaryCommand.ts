/** `liandong summary <campaign> [--out file]`: the consolidated summary (a draft before the campaign closes). */
import { writeFile } from "node:fs/promises"
import { summaryFor } from "@liandong/engine"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { json } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

/** The summary command. */
export const summaryCommand = Command.make(
  "summary",
  { campaign: Argument.String("campaign"), out: Flag.String("out").pipe(Flag.optional) },
  ({ campaign, out }) =>
    run(function* (ctx) {
      const summary = yield* summaryFor(campaign, yield* actorFor(ctx.as))
      if (Option.isSome(out)) {
        yield* Effect.promise(() => writeFile(out.value, summary.content, "utf8"))
        return ctx.json
          ? json({ ...summary, content: undefined, out: out.value })
          : `总结已写入 ${out.value}${summary.draft ? "(草稿 draft)" : ""} / summary written`
      }
      return ctx.json ? json(summary) : summary.content
    }),
).pipe(Command.withDescription("活动总结 / the consolidated summary"))
