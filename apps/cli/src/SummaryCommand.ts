/**
 * `liandong summary <campaign> [--format md|html|docx] [--level <unit>] [--out file]`:
 * the consolidated summary — the stored one once the campaign has closed,
 * otherwise a draft; `--level` renders one unit's part of the hierarchy.
 */
import { writeFile } from "node:fs/promises"
import { extname } from "node:path"
import { summaryFor } from "@liandong/engine/reads"
import { InvalidInput } from "@liandong/engine/runtime"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { json } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

const formats = ["md", "html", "docx"] as const

/** The summary command. */
export const summaryCommand = Command.make(
  "summary",
  {
    campaign: Argument.String("campaign"),
    format: Flag.Literals("format", formats).pipe(Flag.optional),
    level: Flag.String("level").pipe(
      Flag.withDescription("a unit: its own and its subordinates' summary"),
      Flag.optional,
    ),
    lang: Flag.Literals("lang", ["zh", "en"]).pipe(
      Flag.withDescription("zh (the official text) or en"),
      Flag.withDefault("zh" as const),
    ),
    out: Flag.String("out").pipe(Flag.optional),
  },
  ({ campaign, format, level, lang, out }) =>
    run(function* (ctx) {
      const fromName = Option.flatMap(out, (file) => {
        const ext = extname(file).slice(1)
        return (formats as ReadonlyArray<string>).includes(ext)
          ? Option.some(ext as (typeof formats)[number])
          : Option.none()
      })
      const chosen = Option.getOrElse(
        Option.orElse(format, () => fromName),
        () => "md" as const,
      )
      if (chosen === "docx" && Option.isNone(out)) {
        return yield* new InvalidInput({
          problems: [{ path: "out", zh: "Word 文件须用 --out 写入文件", en: "a Word file needs --out" }],
        })
      }
      const summary = yield* summaryFor(campaign, yield* actorFor(ctx.as), {
        format: chosen,
        level: Option.getOrUndefined(level),
        lang,
      })
      if (Option.isSome(out)) {
        yield* Effect.promise(() => writeFile(out.value, summary.content))
        return ctx.json
          ? json({ ...summary, content: undefined, out: out.value })
          : `总结已写入 ${out.value}${summary.draft ? "(草稿 draft)" : ""} / summary written`
      }
      return ctx.json ? json(summary) : String(summary.content)
    }),
).pipe(Command.withDescription("活动总结 / the consolidated summary (Markdown, HTML, Word)"))
