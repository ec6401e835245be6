/**
 * `liandong check [campaign.ts]`: in a campaign project (`liandong init`), type-checks the
 * project as `tsc --noEmit` would, then loads the campaign and validates it exactly as a deploy
 * does (decode, normalize, check; then the notes a deploy prints). Every problem names its
 * field, Chinese first; any error exits non-zero. Nothing is deployed, no database is opened.
 */
import { existsSync } from "node:fs"
import { relative, resolve } from "node:path"
import { type Campaign, campaignWarnings, type Problem, validateCampaign } from "@liandong/workflow"
import { Cause, Console, Effect, Exit, Option, Result } from "effect"
import { Argument, Command } from "effect/cli"
import { loadDefinitionFile } from "./Files.ts"
import { json } from "./Output.ts"
import { run } from "./Run.ts"
import { projectOf, type TypeCheck, typeCheck, typeErrorText } from "./TypeCheck.ts"

/** What a check found. */
export interface CheckResult {
  readonly types: TypeCheck | null
  readonly problems: ReadonlyArray<Problem>
  readonly warnings: ReadonlyArray<Problem>
  readonly campaign: Campaign | null
}

/** The definition's problems: from loading it (a refused `defineCampaign`, a bad file), then from validating it. */
const validate = (file: string) =>
  Effect.gen(function* () {
    const loaded = yield* Effect.exit(loadDefinitionFile(file))
    if (Exit.isFailure(loaded)) {
      const failure = Cause.findErrorOption(loaded.cause)
      const error = (failure._tag === "Some" ? failure.value : undefined) as
        | { problems?: ReadonlyArray<Problem> }
        | undefined
      return { problems: error?.problems ?? [], campaign: null }
    }
    const result = validateCampaign(loaded.value)
    return Result.isSuccess(result)
      ? { problems: [], campaign: result.success }
      : { problems: result.failure, campaign: null }
  })

const problemLine = (p: Problem) =>
  `错误:${p.path === "" ? "" : `${p.path}: `}${p.zh} / error: ${p.path === "" ? "" : `${p.path}: `}${p.en}`

/** The check command. */
export const checkCommand = Command.make(
  "check",
  {
    file: Argument.String("campaign-file").pipe(
      Argument.withDescription("活动定义文件,默认 campaign.ts / the campaign file (default campaign.ts)"),
      Argument.optional,
    ),
  },
  ({ file }) =>
    run(
      function* (ctx) {
        const path = resolve(Option.getOrElse(file, () => "campaign.ts"))
        const shown = relative(process.cwd(), path) || path
        if (!existsSync(path)) {
          return yield* Effect.fail({ zh: `找不到活动定义文件 ${shown}`, en: `no campaign file ${shown}` })
        }
        const project = path.endsWith(".json") ? undefined : projectOf(path)
        const types =
          project === undefined
            ? null
            : yield* Effect.try({
                try: () => typeCheck(project),
                catch: (error) => ({
                  zh: `无法运行 TypeScript 类型检查:${String(error).split("\n")[0]}`,
                  en: `cannot run the TypeScript type check: ${String(error).split("\n")[0]}`,
                }),
              })
        const { problems, campaign } = yield* validate(path)
        const result: CheckResult = {
          types,
          problems,
          warnings: campaign === null ? [] : campaignWarnings(campaign),
          campaign,
        }
        const typeErrors = types?.errors.length ?? 0
        const failed = typeErrors > 0 || problems.length > 0
        if (ctx.json) {
          if (failed) process.exitCode = 1
          return json({
            ok: !failed,
            typescript: types?.typescript ?? null,
            typeErrors: types?.errors ?? [],
            problems,
            warnings: result.warnings,
            campaign: campaign?.key ?? null,
          })
        }
        if (types === null && !path.endsWith(".json")) {
          yield* Console.error("提醒:没有找到 tsconfig.json,未做类型检查 / note: no tsconfig.json, so no type check")
        }
        for (const error of types?.errors ?? []) yield* Console.error(`类型错误 / type error: ${typeErrorText(error)}`)
        for (const problem of problems) yield* Console.error(problemLine(problem))
        for (const w of result.warnings) yield* Console.error(`提醒:${w.path}: ${w.zh} / note: ${w.en}`)
        if (failed) {
          return yield* Effect.fail({
            zh: `检查未通过:${typeErrors} 个类型错误,${problems.length} 个定义问题(未部署任何内容)`,
            en: `check failed: ${typeErrors} type error(s), ${problems.length} definition problem(s); nothing deployed`,
          })
        }
        const c = campaign as Campaign
        const tasks = c.phases.reduce((n, p) => n + p.tasks.length, 0)
        const checked = types === null ? "" : `TypeScript ${types.typescript}`
        return [
          `检查通过 / check passed: ${shown}${checked === "" ? "" : ` (${checked})`}`,
          `${c.key} ${c.title}:${c.units.length} 个单位、${c.phases.length} 个阶段、${tasks} 项任务 / ${c.units.length} units, ${c.phases.length} phases, ${tasks} tasks`,
        ].join("\n")
      },
      { database: false },
    ),
).pipe(
  Command.withDescription(
    "类型检查并按部署规则校验活动定义,不部署 / type-check a campaign project and validate its definition as a deploy would; deploys nothing",
  ),
)
