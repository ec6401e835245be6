/**
 * `liandong summary <campaign> [--format md|html|docx] [--level <unit>] [--out file]`:
 * the consolidated summary — the stored one once the campaign has closed,
 * otherwise a draft; `--level` renders one unit's part of the hierarchy.
 * `--form brief [--issue N] [--name 简报名] [--office 编发单位]` writes a 简报 issue instead.
 */
import { writeFile } from "node:fs/promises"
import { extname } from "node:path"
import { summaryFor } from "@liandong/engine/reads"
import { InvalidInput } from "@liandong/engine/runtime"
import { Effect, Option, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { json } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

const formats = ["md", "html", "docx"] as const

// Strings decoded here rather than by the flag parser, so a bad value gets a bilingual message.
const Form = Schema.Literals(["summary", "brief"])
const Issue = Schema.NumberFromString.pipe(
  Schema.decodeTo(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 9999 }))),
)
const Masthead = Schema.NonEmptyString.check(Schema.isMaxLength(60))

const bad = (path: string, zh: string, en: string) => new InvalidInput({ problems: [{ path, zh, en }] })

const decoded = <A>(schema: Schema.Decoder<A>, value: Option.Option<string>, path: string, zh: string, en: string) =>
  Option.isNone(value)
    ? Effect.succeed(undefined)
    : Schema.decodeUnknownEffect(schema)(value.value).pipe(Effect.mapError(() => bad(path, zh, en)))

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
    form: Flag.String("form").pipe(Flag.withDescription("summary (活动总结, default) or brief (简报)"), Flag.optional),
    issue: Flag.String("issue").pipe(Flag.withDescription("简报 期号 / issue number (1–9999)"), Flag.optional),
    name: Flag.String("name").pipe(Flag.withDescription("简报名称 / the bulletin's name"), Flag.optional),
    office: Flag.String("office").pipe(Flag.withDescription("编发单位 / the compiling office"), Flag.optional),
  },
  ({ campaign, format, level, lang, out, form, issue, name, office }) =>
    run(function* (ctx) {
      const chosenForm =
        (yield* decoded(Form, form, "form", "--form 须为 summary 或 brief", "--form must be summary or brief")) ??
        "summary"
      const brief = {
        issue: yield* decoded(
          Issue,
          issue,
          "issue",
          "--issue 须为 1 至 9999 的整数",
          "--issue must be a whole number from 1 to 9999",
        ),
        name: yield* decoded(Masthead, name, "name", "--name 须为 1 至 60 个字符", "--name must be 1 to 60 characters"),
        office: yield* decoded(
          Masthead,
          office,
          "office",
          "--office 须为 1 至 60 个字符",
          "--office must be 1 to 60 characters",
        ),
      }
      if (chosenForm !== "brief" && (Option.isSome(issue) || Option.isSome(name) || Option.isSome(office))) {
        return yield* bad(
          "form",
          "--issue、--name、--office 仅用于 --form brief",
          "--issue, --name and --office go with --form brief",
        )
      }
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
        form: chosenForm,
        brief,
      })
      if (Option.isSome(out)) {
        yield* Effect.promise(() => writeFile(out.value, summary.content))
        return ctx.json
          ? json({ ...summary, content: undefined, out: out.value })
          : chosenForm === "brief"
            ? `简报已写入 ${out.value} / bulletin written`
            : `总结已写入 ${out.value}${summary.draft ? "(草稿 draft)" : ""} / summary written`
      }
      return ctx.json ? json(summary) : String(summary.content)
    }),
).pipe(Command.withDescription("活动总结或简报 / the consolidated summary or a bulletin (Markdown, HTML, Word)"))
