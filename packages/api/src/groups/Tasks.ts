/** Tasks: mine (and my subordinates'), one task, acknowledge it, report on it. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { IdempotencyHeaders, isStorableText, Key, Label, Page, PageQuery, TaskStatus } from "../Common.ts"
import { readProblems, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"

/** A figure the task must report: its label, measure word (量词), kind and bounds. */
export const FigureDefinition = Schema.Struct({
  key: Schema.String,
  label: Label,
  measure: Schema.String,
  kind: Schema.Literals(["integer", "decimal"]),
  min: Schema.Number,
  max: Schema.NullOr(Schema.Number),
  scale: Schema.Int,
  required: Schema.Boolean,
})

/** A free-text part of the report (what was done, highlights, difficulties). */
export const NarrativeDefinition = Schema.Struct({
  key: Schema.String,
  label: Label,
  required: Schema.Boolean,
  maxLength: Schema.Int,
})

const RuleTerm = Schema.Union([Schema.Struct({ figure: Schema.String }), Schema.Struct({ constant: Schema.String })])

const RuleComparison = Schema.Struct({
  left: Schema.Array(RuleTerm),
  op: Schema.Literals(["<=", "<", "=", ">=", ">"]),
  right: Schema.Array(RuleTerm),
})

/** A rule between the task's figures, parsed: the browser checks a report with it before sending. */
export const RuleDefinition = Schema.Struct({
  text: Schema.String,
  when: Schema.NullOr(RuleComparison),
  check: Schema.NullOr(RuleComparison),
  require: Schema.NullOr(Schema.String),
  message: Schema.NullOr(Schema.Struct({ zh: Schema.String, en: Schema.optional(Schema.String) })),
})

/** One unit's share of one task, with what its report must hold. */
export const TaskItem = Schema.Struct({
  ref: Schema.String,
  campaign: Schema.String,
  campaignTitle: Schema.String,
  campaignTitleEn: Schema.NullOr(Schema.String),
  unit: Schema.String,
  unitName: Schema.String,
  task: Schema.String,
  title: Label,
  description: Schema.NullOr(Schema.String),
  phase: Schema.String,
  phaseName: Label,
  status: TaskStatus,
  deadline: Schema.String,
  overdue: Schema.Boolean,
  reminded: Schema.Int,
  returns: Schema.Int,
  report: Schema.NullOr(Schema.String),
  acknowledgedAt: Schema.NullOr(Schema.String),
  submittedAt: Schema.NullOr(Schema.String),
  approvedAt: Schema.NullOr(Schema.String),
  figures: Schema.Array(FigureDefinition),
  narrative: Schema.Array(NarrativeDefinition),
  rules: Schema.Array(RuleDefinition),
})
export type TaskItem = typeof TaskItem.Type

/** A report as submitted: figures by key (numbers, or decimal text), narrative fields by key. */
export const ReportSubmission = Schema.Struct({
  figures: Schema.optional(Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Finite]))),
  narrative: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  /** the uploads it carries, by id, in order; left out, a resubmission keeps the earlier report's files */
  attachments: Schema.optional(Schema.Array(Schema.String)),
}).check(isStorableText())

/** An uploaded file (佐证材料), to name in the report: its id, name, sniffed type, size and SHA-256. */
export const Uploaded = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  type: Schema.String,
  size: Schema.Int,
  sha256: Schema.String,
})

/** The name of an uploaded file, percent-encoded (UTF-8) as `encodeURIComponent` writes it. */
export const UploadHeaders = {
  "x-file-name": Schema.String.check(
    Schema.isMinLength(1, { message: "须在 X-File-Name 中给出文件名 / give the file name in X-File-Name" }),
  ),
}

/** What acknowledging answers. */
export const Acknowledged = Schema.Struct({
  task: Schema.String,
  status: Schema.String,
  journal: Schema.Int,
  replayed: Schema.Boolean,
})

/** What submitting a report answers. */
export const Submitted = Schema.Struct({
  task: Schema.String,
  report: Schema.String,
  attempt: Schema.Int,
  status: Schema.String,
  journal: Schema.Int,
  replayed: Schema.Boolean,
})

const task = { campaign: Key, unit: Key, task: Key }

/** The tasks group. */
export class TasksGroup extends HttpApiGroup.make("tasks")
  .add(
    HttpApiEndpoint.get("list", "/tasks", {
      query: {
        ...PageQuery,
        campaign: Schema.optional(Key),
        unit: Schema.optional(Key),
        phase: Schema.optional(Key),
        status: Schema.optional(TaskStatus),
      },
      success: Page(TaskItem),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("get", "/campaigns/:campaign/units/:unit/tasks/:task", {
      params: task,
      success: TaskItem,
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("acknowledge", "/campaigns/:campaign/units/:unit/tasks/:task/acknowledge", {
      params: task,
      headers: IdempotencyHeaders,
      success: Acknowledged,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("submitReport", "/campaigns/:campaign/units/:unit/tasks/:task/reports", {
      params: task,
      headers: IdempotencyHeaders,
      payload: ReportSubmission,
      success: Submitted,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("uploadAttachment", "/campaigns/:campaign/units/:unit/tasks/:task/attachments", {
      params: task,
      headers: UploadHeaders,
      // The raw bytes of one file; its name in X-File-Name. Read under the attachment limit, not the JSON body limit.
      payload: HttpApiSchema.StreamUint8Array({ contentType: "application/octet-stream" }),
      success: Uploaded,
      error: writeProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(OpenApi.annotations({ title: "tasks", description: "任务 / tasks" })) {}
