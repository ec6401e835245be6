/**
 * `liandong plan|apply <campaign-file>` and `liandong change <campaign> extend|add-unit|withdraw-unit`:
 * changing a running campaign from the command line, through the engine's plan and apply.
 * A plan prints what changes for whom and what is refused; nothing is written until `apply`
 * (or a `change` without `--dry-run`), and each applied change is one journaled event with
 * its reason.
 */
import { type Changed, changeCampaign, commonChange, planCampaignChange } from "@liandong/engine/commands"
import type { UnitLevel, UnitRole } from "@liandong/workflow"
import { Effect, Option, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { loadDefinitionFile } from "./Files.ts"
import { json } from "./Output.ts"
import { actorFor } from "./Root.ts"
import { run } from "./Run.ts"

/** A plan that refuses something: printed, and the command fails. */
class ChangeRefused extends Schema.TaggedError<ChangeRefused>()("ChangeRefused", {
  zh: Schema.String,
  en: Schema.String,
}) {}

const reasonFlag = Flag.String("reason").pipe(
  Flag.withDescription("变更理由,记入日志 / why, kept in the journal"),
  Flag.optional,
)
const dryRun = Flag.Boolean("dry-run").pipe(
  Flag.withDescription("只列出变更,不执行 / plan only, write nothing"),
  Flag.withDefault(false),
)

/** The plan in words: each change, then each refusal; the definition names units and tasks. */
const planText = (changed: Changed) => {
  const lines: string[] = []
  const { plan } = changed
  if (changed.unchanged) return `${changed.campaign}\n定义未变化 / the definition is unchanged`
  if (plan.items.length === 0 && plan.refusals.length === 0) lines.push("没有变更 / nothing changes")
  for (const text of changed.words) lines.push(`  + ${text.zh} / ${text.en}`)
  for (const refusal of plan.refusals)
    lines.push(`  ✗ ${refusal.path ? `${refusal.path}: ` : ""}${refusal.zh} / ${refusal.en}`)
  const head = changed.applied
    ? `${changed.campaign}\n已变更为版本 ${changed.version},日志第 ${changed.journal} 行 / changed to version ${changed.version}, journal row ${changed.journal}`
    : `${changed.campaign}\n变更计划(未执行)/ plan (nothing written):`
  return [head, ...lines].join("\n")
}

/** Prints a change or plan, failing when the plan refuses something. */
const report = (changed: Changed, asJson: boolean) =>
  Effect.gen(function* () {
    if (asJson) return json(changed)
    if (changed.plan.refusals.length > 0)
      return yield* new ChangeRefused({
        zh: `变更不能执行:\n${planText(changed)}`,
        en: "the change cannot be applied (see above)",
      })
    return planText(changed)
  })

const fileArgument = Argument.String("campaign-file").pipe(
  Argument.withDescription("the campaign's new definition (.ts, .js or .json)"),
)

const planCommand = Command.make("plan", { file: fileArgument }, ({ file }) =>
  run(function* (ctx) {
    const input = yield* loadDefinitionFile(file)
    const changed = yield* planCampaignChange(input, yield* actorFor(ctx.as))
    return yield* report(changed, ctx.json)
  }),
).pipe(
  Command.withDescription(
    "列出新定义对进行中活动的变更,不执行 / show what a new definition changes in a running campaign",
  ),
)

const needReason = (reason: Option.Option<string>) => Option.getOrElse(reason, () => "")

const applyCommand = Command.make("apply", { file: fileArgument, reason: reasonFlag }, ({ file, reason }) =>
  run(function* (ctx) {
    const input = yield* loadDefinitionFile(file)
    const changed = yield* changeCampaign(input, needReason(reason), yield* actorFor(ctx.as))
    return yield* report(changed, ctx.json)
  }),
).pipe(Command.withDescription("将新定义应用于进行中的活动(须 --reason)/ apply a new definition to a running campaign"))

const campaignArgument = Argument.String("campaign")

const extend = Command.make(
  "extend",
  {
    campaign: campaignArgument,
    task: Flag.String("task").pipe(Flag.withDescription("任务标识 / task key")),
    to: Flag.String("to").pipe(
      Flag.withDescription("新的截止时间,如 2026-04-18 或 2026-04-18T18:00 / the new deadline"),
    ),
    unit: Flag.String("unit").pipe(
      Flag.withDescription("延期的单位,可重复;不写则全部 / units, repeatable; all when absent"),
      Flag.atLeast(0),
    ),
    reason: reasonFlag,
    dryRun,
  },
  ({ campaign, task, to, unit, reason, dryRun }) =>
    run(function* (ctx) {
      const request = { kind: "extend" as const, task, deadline: to, ...(unit.length > 0 ? { units: unit } : {}) }
      const changed = yield* commonChange(campaign, request, needReason(reason), yield* actorFor(ctx.as), dryRun)
      return yield* report(changed, ctx.json)
    }),
).pipe(Command.withDescription("延长任务截止时间 / extend a task's deadline, for all or some units"))

const addUnit = Command.make(
  "add-unit",
  {
    campaign: campaignArgument,
    unit: Flag.String("unit").pipe(Flag.withDescription("单位标识 / unit key")),
    name: Flag.String("name").pipe(Flag.withDescription("单位名称 / the unit's name"), Flag.optional),
    role: Flag.Literals("role", ["host", "implementer", "co-organiser", "member", "subordinate"]).pipe(Flag.optional),
    parent: Flag.String("parent").pipe(Flag.optional),
    level: Flag.Literals("level", ["national", "province", "city", "county"]).pipe(Flag.optional),
    task: Flag.String("task").pipe(
      Flag.withDescription("承担的任务,可重复 / tasks it takes, repeatable"),
      Flag.atLeast(1),
    ),
    reason: reasonFlag,
    dryRun,
  },
  ({ campaign, unit, name, role, parent, level, task, reason, dryRun }) =>
    run(function* (ctx) {
      const request = {
        kind: "add-unit" as const,
        unit: {
          key: unit,
          name: Option.getOrElse(name, () => unit),
          role: Option.getOrElse(role, (): UnitRole => "member"),
          ...Option.match(parent, { onNone: () => ({}), onSome: (p) => ({ parent: p }) }),
          ...Option.match(level, { onNone: () => ({}), onSome: (l: UnitLevel) => ({ level: l }) }),
        },
        tasks: task,
      }
      const changed = yield* commonChange(campaign, request, needReason(reason), yield* actorFor(ctx.as), dryRun)
      return yield* report(changed, ctx.json)
    }),
).pipe(Command.withDescription("增加参加单位 / add a unit to tasks of a running campaign"))

const withdraw = Command.make(
  "withdraw-unit",
  { campaign: campaignArgument, unit: Flag.String("unit"), reason: reasonFlag, dryRun },
  ({ campaign, unit, reason, dryRun }) =>
    run(function* (ctx) {
      const request = { kind: "withdraw-unit" as const, unit }
      const changed = yield* commonChange(campaign, request, needReason(reason), yield* actorFor(ctx.as), dryRun)
      return yield* report(changed, ctx.json)
    }),
).pipe(Command.withDescription("单位退出尚未结束的阶段 / withdraw a unit from the phases not yet closed"))

const changeCommand = Command.make("change").pipe(
  Command.withDescription("进行中活动的常见变更 / common changes to a running campaign"),
  Command.withSubcommands([extend, addUnit, withdraw]),
)

/** The commands that change a running campaign. */
export const changeCommands = [planCommand, applyCommand, changeCommand] as const
