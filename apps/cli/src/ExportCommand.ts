/**
 * Excel both ways: `liandong export <campaign> --out book.xlsx` writes the campaign's workbook
 * as the acting principal may read it; `liandong units import list.xlsx [--into def.json]`
 * reads a unit list into a definition's `units`.
 */
import { readFile, rename, writeFile } from "node:fs/promises"
import { extname } from "node:path"
import { campaignWorkbook } from "@liandong/engine/reads"
import { InvalidInput } from "@liandong/engine/runtime"
import { readUnitList } from "@liandong/report"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { readJsonFile } from "./Files.ts"
import { json } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

const xlsxOnly = (path: string, flag: string) =>
  extname(path).toLowerCase() === ".xlsx"
    ? Effect.void
    : Effect.fail(
        new InvalidInput({
          problems: [{ path: flag, zh: "须为 .xlsx 文件", en: "must be an .xlsx file" }],
        }),
      )

/** `liandong export <campaign> --out book.xlsx`. */
export const exportCommand = Command.make(
  "export",
  {
    campaign: Argument.String("campaign"),
    out: Flag.String("out").pipe(Flag.withDescription("the .xlsx file to write")),
  },
  ({ campaign, out }) =>
    run(function* (ctx) {
      yield* xlsxOnly(out, "out")
      const bytes = yield* campaignWorkbook(campaign, yield* actorFor(ctx.as))
      yield* Effect.promise(() => writeFile(out, bytes))
      return ctx.json ? json({ campaign, out, bytes: bytes.length }) : `统计表已写入 ${out} / workbook written`
    }),
).pipe(Command.withDescription("导出统计表(Excel)/ export the campaign's workbook (.xlsx)"))

const importList = Command.make(
  "import",
  {
    file: Argument.String("file"),
    into: Flag.String("into").pipe(
      Flag.withDescription("a definition (.json) whose units the list replaces"),
      Flag.optional,
    ),
  },
  ({ file, into }) =>
    run(
      function* (ctx) {
        yield* xlsxOnly(file, "file")
        const bytes = yield* Effect.tryPromise({
          try: () => readFile(file),
          catch: (error) =>
            new InvalidInput({
              problems: [
                { path: "file", zh: `无法读取文件:${String(error)}`, en: `cannot read the file: ${String(error)}` },
              ],
            }),
        })
        const read = yield* Effect.promise(() => readUnitList(bytes))
        if ("problems" in read) return yield* new InvalidInput({ problems: [...read.problems] })
        if (Option.isNone(into)) return JSON.stringify(read.units, null, 2)
        const definition = yield* readJsonFile(into.value)
        if (typeof definition !== "object" || definition === null || Array.isArray(definition))
          return yield* new InvalidInput({
            problems: [
              { path: "into", zh: "不是活动定义(JSON 对象)", en: "not a campaign definition (a JSON object)" },
            ],
          })
        // Written beside and renamed: an interrupted write leaves the old definition whole.
        const next = `${into.value}.${process.pid}.tmp`
        yield* Effect.promise(() =>
          writeFile(next, `${JSON.stringify({ ...definition, units: read.units }, null, 2)}\n`),
        )
        yield* Effect.promise(() => rename(next, into.value))
        return ctx.json
          ? json({ into: into.value, units: read.units.length })
          : `已将 ${read.units.length} 个单位写入 ${into.value} / ${read.units.length} units written`
      },
      { database: false },
    ),
).pipe(Command.withDescription("从 Excel 名单读取单位 / read units from an Excel list"))

/** `liandong units …`. */
export const unitsCommand = Command.make("units").pipe(
  Command.withSubcommands([importList]),
  Command.withDescription("参与单位名单 / unit lists"),
)
