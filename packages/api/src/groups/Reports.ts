/** Reports: list (filtered, sorted), one with its history, approve (one or many), return with a reason. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { IdempotencyHeaders, Key, Page, PageQuery, ReportId, ReportStatus, Text, UnitLevel } from "../Common.ts"
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
  reviewComment: Schema.NullOr(Schema.String).annotate({
    description: "the approver's comment (审批意见), in the journal with the approval; null until approved",
  }),
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

/** A comment on an approval (审批意见): optional ("同意" when absent), at most 500 characters. */
export const ReviewComment = Text.check(
  Schema.isMaxLength(500, { message: "审批意见不超过 500 字 / the comment is at most 500 characters" }),
)

/** What an approval may carry: its comment. No body at all approves with "同意". */
export const ApproveBody = Schema.Struct({ comment: Schema.optional(ReviewComment) })

/** Several reports approved with one comment. */
export const BulkApproveBody = Schema.Struct({
  reports: Schema.Array(ReportId).check(
    Schema.isMinLength(1, { message: "至少选择 1 份报送 / name at least 1 report" }),
    Schema.isMaxLength(200, { message: "一次最多审核 200 份报送 / at most 200 reports at once" }),
  ),
  comment: Schema.optional(ReviewComment),
})

/** One report's outcome in a bulk approval: approved, replayed (approved before by this key), or refused and why. */
export const BulkApproveItem = Schema.Struct({
  report: Schema.String,
  outcome: Schema.Literals(["approved", "replayed", "refused"]),
  journal: Schema.NullOr(Schema.Int),
  problem: Schema.NullOr(
    Schema.Struct({ status: Schema.Int, title: Schema.String, detail: Schema.NullOr(Schema.String) }),
  ),
})

/** What a bulk approval answers: one item per report named, in order. */
export const BulkApproved = Schema.Struct({ results: Schema.Array(BulkApproveItem) })

/** The orders of a report listing. */
export const ReportSort = Schema.Literals(["submitted", "unit", "deadline"])

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
        phase: Schema.optional(Key),
        level: Schema.optional(UnitLevel),
        late: Schema.optional(Schema.Literals(["true", "false"])).annotate({
          description: "true: only reports submitted after their task's deadline; false: only those on time",
        }),
        q: Schema.optional(
          Text.check(
            Schema.isMaxLength(100, { message: "搜索词不超过 100 字 / the search is at most 100 characters" }),
          ),
        ).annotate({ description: "words in the unit's name or the narrative" }),
        sort: Schema.optional(ReportSort).annotate({
          description: "submitted (by number, the default), unit, or deadline; then by number",
        }),
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
    HttpApiEndpoint.post("approveMany", "/reports/approve", {
      headers: IdempotencyHeaders,
      payload: BulkApproveBody,
      success: BulkApproved,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("approve", "/reports/:report/approve", {
      params: report,
      headers: IdempotencyHeaders,
      payload: [ApproveBody, Schema.Null],
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
