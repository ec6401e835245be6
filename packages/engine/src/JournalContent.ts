/**
 * What a journal row is about, beside the event that moved the machine: the
 * report a unit submitted (every figure and narrative field), a reviewer's
 * decision with its reason or comment (审批意见), a summary's document hashes and
 * totals. It is hashed with the row, so the stored reports, reviews and summaries
 * can each be checked against the chain, and an export alone proves every total
 * from signed reports.
 */
import type { FigureSum, LevelTotals } from "@liandong/workflow"

/** A file a report carries (佐证材料): the hash of its bytes, and what the unit called it. */
export interface AttachmentContent {
  readonly sha256: string
  readonly name: string
  readonly type: string
  readonly size: number
}

/** A unit's report as submitted. */
export interface ReportContent {
  readonly id: string
  readonly unit: string
  readonly task: string
  readonly attempt: number
  readonly submittedBy: string
  /** figure key → canonical decimal text */
  readonly figures: Readonly<Record<string, string>>
  readonly narrative: Readonly<Record<string, string>>
  /** the files it carries, in order; absent when it carries none (as before files could be attached) */
  readonly attachments?: ReadonlyArray<AttachmentContent>
}

/** A reviewer's decision on a report. */
export interface ReviewContent {
  readonly report: string
  readonly decision: "approved" | "returned"
  readonly by: string
  readonly reason: string | null
  /** 审批意见 on an approval; absent when none was recorded (approvals before comments were kept) */
  readonly comment?: string
}

/** A consolidated summary as written: the hash of each format's bytes and the totals it states. */
export interface SummaryContent {
  readonly version: number
  /** the journal length the summary reflects */
  readonly journalSeq: number
  /** format → SHA-256 of the document's bytes */
  readonly documents: Readonly<Record<string, string>>
  readonly totals: ReadonlyArray<FigureSum>
  readonly levels: ReadonlyArray<LevelTotals>
}

/** The content of a journal row. */
export type JournalContent =
  | { readonly report: ReportContent }
  | { readonly review: ReviewContent }
  | { readonly summary: SummaryContent }

/** The content a stored report must still have: its row and figures as the database holds them now. */
export const storedReportContent = (
  row: {
    readonly id: string
    readonly unit_key: string
    readonly task_key: string
    readonly attempt: number
    readonly submitted_by: string
    readonly narrative: Readonly<Record<string, string>>
  },
  figures: Readonly<Record<string, string>>,
  attachments: ReadonlyArray<AttachmentContent> = [],
): ReportContent => ({
  id: String(row.id),
  unit: row.unit_key,
  task: row.task_key,
  attempt: row.attempt,
  submittedBy: row.submitted_by,
  figures,
  narrative: row.narrative,
  ...(attachments.length === 0 ? {} : { attachments }),
})

/** The review a stored report must still show, or null when it waits for one. */
export const storedReviewContent = (row: {
  readonly id: string
  readonly status: "submitted" | "approved" | "returned"
  readonly reviewed_by: string | null
  readonly return_reason: string | null
  readonly review_comment?: string | null
}): ReviewContent | null =>
  row.status === "submitted"
    ? null
    : {
        report: String(row.id),
        decision: row.status,
        by: row.reviewed_by ?? "",
        reason: row.status === "returned" ? row.return_reason : null,
        ...(row.review_comment == null ? {} : { comment: row.review_comment }),
      }
