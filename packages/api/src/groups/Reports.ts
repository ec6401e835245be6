/** Reports: list, one with its history, approve, return with a reason. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { IdempotencyHeaders, Key, Page, PageQuery, ReportId, ReportStatus, Text } from "../Common.ts"
import { readProblems, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"
import { TrailEntry } from "./Audit.ts"

/** A file a report carries (佐证材料): its upload id, name, sniffed type, size and SHA-256. */
export const AttachmentItem = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  type: Schema.String,
  size: Schema.Int,
  sha256: Schema.String,
})
export type AttachmentItem = typeof AttachmentItem.Type

/** A report: its figures (exact decimal text) and narrative, who submitted and reviewed it. */
export const ReportItem = Schema.Struct({
  id: Schema.String,
  ref: Schema.String,
  campaign: Schema.String,
  unit: Schema.String,
  task: Schema.String,
  attempt: Schema.Int,
  status: ReportStatus,
  figures: Schema.Record(Schema.String, Schema.String),
  narrative: Schema.Record(Schema.String, Schema.String),
  submittedBy: Schema.String,
  submittedByName: Schema.NullOr(Schema.String).annotate({ description: "the submitter's name, from the directory" }),
  submittedAt: Schema.String,
  reviewedBy: Schema.NullOr(Schema.String),
  reviewedByName: Schema.NullOr(Schema.String).annotate({ description: "the reviewer's name, from the directory" }),
  reviewedAt: Schema.NullOr(Schema.String),
  returnReason: Schema.NullOr(Schema.String),
  attachments: Schema.Array(AttachmentItem),
})
export type ReportItem = typeof ReportItem.Type

/** A report with every attempt at its task and the task's journal entries. */
export const ReportDetail = Schema.Struct({
  ...ReportItem.fields,
  attempts: Schema.Array(ReportItem),
  history: Schema.Array(TrailEntry),
})

/** A reason for returning a report. */
export const ReturnBody = Schema.Struct({
  reason: Text.check(
    Schema.isPattern(/\S/u, { message: "退回须说明理由 / a return needs a reason" }),
    Schema.isMaxLength(2000, { message: "理由不超过 2000 字 / the reason is at most 2000 characters" }),
  ),
})

/** What approving or returning answers. */
export const Reviewed = Schema.Struct({
  report: Schema.String,
  task: Schema.String,
  status: ReportStatus,
  journal: Schema.Int,
  replayed: Schema.Boolean,
})

const report = { report: ReportId }

/** The reports group. */
export class ReportsGroup extends HttpApiGroup.make("reports")
  .add(
    HttpApiEndpoint.get("list", "/reports", {
      query: {
        ...PageQuery,
        campaign: Schema.optional(Key),
        unit: Schema.optional(Key),
        task: Schema.optional(Key),
        status: Schema.optional(ReportStatus),
      },
      success: Page(ReportItem),
      error: readProblems,
    }),
  )
  .add(HttpApiEndpoint.get("get", "/reports/:report", { params: report, success: ReportDetail, error: readProblems }))
  .add(
    HttpApiEndpoint.get("attachment", "/reports/:report/attachments/:attachment", {
      params: { ...report, attachment: ReportId },
      // The file's own type (image/jpeg, application/pdf…), with Content-Disposition and nosniff.
      success: Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: "application/octet-stream" })),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("approve", "/reports/:report/approve", {
      params: report,
      headers: IdempotencyHeaders,
      success: Reviewed,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("return", "/reports/:report/return", {
      params: report,
      headers: IdempotencyHeaders,
      payload: ReturnBody,
      success: Reviewed,
      error: writeProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(OpenApi.annotations({ title: "reports", description: "报送 / reports" })) {}
