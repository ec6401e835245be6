/**
 * References users type: a task is `<campaign>/<unit>/<task>`, a report is its
 * number or the task it answers (meaning that task's latest report).
 */
import { issueProblems } from "@liandong/workflow"
import { unstorableText } from "@liandong/workflow/report"
import { Effect, Schema } from "effect"
import { InvalidInput } from "./Errors.ts"

const key = "[a-z0-9][a-z0-9-]{0,62}"

/** `<campaign>/<unit>/<task>`. */
export const TaskRef = Schema.String.check(
  Schema.isPattern(new RegExp(`^${key}/${key}/${key}$`), {
    message:
      "任务须写作 活动/单位/任务,如 ip-week/county-a/brochures / a task is written campaign/unit/task, e.g. ip-week/county-a/brochures",
  }),
)

/** A report number, or a task reference meaning its latest report. */
export const ReportRef = Schema.Union([
  Schema.String.check(
    Schema.isPattern(/^[1-9][0-9]{0,17}$/, { message: "报送编号须为正整数 / a report number is a positive integer" }),
  ),
  TaskRef,
])

/** A parsed task reference. */
export interface TaskAddress {
  readonly campaign: string
  readonly unit: string
  readonly task: string
}

/** Splits a task reference into its parts. */
export const parseTaskRef = (ref: string): TaskAddress => {
  const [campaign, unit, task] = ref.split("/") as [string, string, string]
  return { campaign, unit, task }
}

/**
 * Decodes untrusted input with a schema, failing with field-level problems in both languages.
 * Text the database cannot store is refused here, for every command, before any schema sees it.
 */
export const decode = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, input: unknown) => {
  const unstorable = unstorableText(input)
  if (unstorable.length > 0) return Effect.fail(new InvalidInput({ problems: unstorable }))
  return Schema.decodeUnknownEffect(schema)(input, { errors: "all" }).pipe(
    Effect.mapError((error) => new InvalidInput({ problems: issueProblemsOf(error) })),
  ) as Effect.Effect<S["Type"], InvalidInput>
}

const issueProblemsOf = (error: Schema.SchemaError) => issueProblems(error.issue)
