/**
 * Checking what the journal says against what was stored and what was summed.
 * Fed the journal row by row (after the chain check), it keeps one hash a
 * report and the latest approved figures of each unit's task; at each summary
 * it recomputes every total and every level's roll-up from those figures alone
 * and compares them with the totals the summary stated. Pure, like Verify.ts.
 */
import { type ApprovedFigures, type Campaign, canonicalJson, rollUp, sha256Hex } from "@liandong/workflow"
import type { AttachmentContent, ReportContent, ReviewContent, SummaryContent } from "../JournalContent.ts"
import type { Finding, JournalRecord } from "./Records.ts"

/** A stored summary document: its version, format and the SHA-256 of its bytes. */
export interface SummaryDocument {
  readonly version: number
  readonly format: string
  readonly sha256: string
}

/** What the journal recorded of one report: where, and a hash of each part. */
interface Recorded {
  readonly seq: number
  readonly content: string
  review?: { readonly seq: number; readonly content: string }
}

const finding = (seq: number | null, check: Finding["check"], zh: string, en: string): Finding => ({
  seq,
  check,
  zh: seq === null ? zh : `第 ${seq} 行:${zh}`,
  en: seq === null ? en : `row ${seq}: ${en}`,
})

/** The hash a report's (or review's) content is remembered by. */
export const contentHash = (content: ReportContent | ReviewContent): string => sha256Hex(canonicalJson(content))

/** The fields where two versions of a report differ, as `path: journal → stored` lines. */
export const differences = (journal: unknown, stored: unknown, path = ""): string[] => {
  if (canonicalJson(journal ?? null) === canonicalJson(stored ?? null)) return []
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v)
  if (isObject(journal) && isObject(stored)) {
    const keys = [...new Set([...Object.keys(journal), ...Object.keys(stored)])].sort()
    return keys.flatMap((k) => differences(journal[k], stored[k], path === "" ? k : `${path}.${k}`))
  }
  const show = (v: unknown) => (v === undefined ? "∅" : typeof v === "string" ? v : JSON.stringify(v))
  return [`${path}: ${show(journal)} → ${show(stored)}`]
}

/** The content check of one campaign. */
export const contentCheck = (campaign: Campaign | undefined) => {
  const findings: Finding[] = []
  const reports = new Map<string, Recorded>()
  // Figures of submitted reports not yet decided, then of the latest approved one per unit and task.
  const pending = new Map<string, ApprovedFigures & { readonly attempt: number }>()
  const approved = new Map<string, ApprovedFigures & { readonly attempt: number }>()
  const summaries = new Map<number, { readonly seq: number; readonly documents: Readonly<Record<string, string>> }>()
  // The files each report carries, as the journal recorded them.
  const files: Array<{
    readonly seq: number
    readonly report: string
    readonly attachments: ReadonlyArray<AttachmentContent>
  }> = []
  let uncovered = 0

  const onSubmit = (row: JournalRecord) => {
    const payload = row.payload as { report?: string; task?: string }
    const content = (row.content as { report?: ReportContent } | undefined)?.report
    if (content === undefined) {
      uncovered += 1
      return
    }
    if (content.id !== payload.report || content.unit !== row.unit_key || content.task !== payload.task) {
      findings.push(
        finding(
          row.seq,
          "content",
          `所记报送(${content.id},${content.unit}/${content.task})与事件(${String(payload.report)})不一致`,
          `the report recorded (${content.id}, ${content.unit}/${content.task}) is not the event's (${String(payload.report)})`,
        ),
      )
      return
    }
    reports.set(content.id, { seq: row.seq, content: contentHash(content) })
    if ((content.attachments ?? []).length > 0)
      files.push({ seq: row.seq, report: content.id, attachments: content.attachments ?? [] })
    pending.set(content.id, {
      unit: content.unit,
      task: content.task,
      attempt: content.attempt,
      figures: content.figures,
    })
  }

  const onReview = (row: JournalRecord) => {
    const payload = row.payload as { report?: string }
    const content = (row.content as { review?: ReviewContent } | undefined)?.review
    const reportId = String(payload.report)
    const submitted = pending.get(reportId)
    pending.delete(reportId)
    if (content === undefined) {
      uncovered += 1
      return
    }
    const recorded = reports.get(reportId)
    if (content.report !== reportId || recorded === undefined) {
      findings.push(
        finding(
          row.seq,
          "content",
          `审核所指的报送 ${content.report} 不在日志中`,
          `the review names report ${content.report}, which the journal does not hold`,
        ),
      )
      return
    }
    recorded.review = { seq: row.seq, content: contentHash(content) }
    if (content.decision === "approved" && submitted !== undefined) {
      const key = `${submitted.unit}\u0000${submitted.task}`
      const before = approved.get(key)
      if (before === undefined || before.attempt < submitted.attempt) approved.set(key, submitted)
    }
  }

  const onSummary = (row: JournalRecord) => {
    const content = (row.content as { summary?: SummaryContent } | undefined)?.summary
    if (content === undefined) return
    summaries.set(content.version, { seq: row.seq, documents: content.documents })
    // A campaign that began before the journal recorded content (and was upgraded mid-flight) has
    // reports whose figures the journal never held: its totals cannot be recomputed, which is not
    // a sign of tampering. The verdict's `uncovered` count says so; the documents' hashes are still checked.
    if (campaign === undefined || uncovered > 0) return
    const recomputed = rollUp(campaign, approved.values())
    const stated = new Map(content.totals.map((t) => [`${t.task}.${t.figure}`, t.total]))
    const mismatch = (where: string, what: string, said: string | undefined, sum: string | undefined) =>
      finding(
        row.seq,
        "summary",
        `总结${where}“${what}”的合计为 ${said ?? "(缺)"},由已通过的报送重算为 ${sum ?? "(无)"}`,
        `the summary states ${said ?? "(nothing)"} for ${what}${where === "" ? "" : ` at level ${where}`}; the approved reports add up to ${sum ?? "(nothing)"}`,
      )
    for (const t of recomputed.totals) {
      const key = `${t.task}.${t.figure}`
      if (stated.get(key) !== t.total) findings.push(mismatch("", key, stated.get(key), t.total))
      stated.delete(key)
    }
    for (const [key, said] of stated) findings.push(mismatch("", key, said, undefined))
    const statedLevels = new Map(content.levels.map((l) => [l.unit, l.totals]))
    for (const level of recomputed.levels) {
      const said = new Map((statedLevels.get(level.unit) ?? []).map((t) => [`${t.task}.${t.figure}`, t.total]))
      statedLevels.delete(level.unit)
      for (const t of level.totals) {
        const key = `${t.task}.${t.figure}`
        if (said.get(key) !== t.total) findings.push(mismatch(`(${level.unit})`, key, said.get(key), t.total))
        said.delete(key)
      }
      for (const [key, total] of said) findings.push(mismatch(`(${level.unit})`, key, total, undefined))
    }
    for (const [unit] of statedLevels)
      findings.push(
        finding(
          row.seq,
          "summary",
          `总结列出了不存在的层级“${unit}”`,
          `the summary states totals for "${unit}", which is not a level of the campaign`,
        ),
      )
  }

  return {
    /** Takes the next journal row. */
    push: (row: JournalRecord) => {
      if (row.event === "task.submit") onSubmit(row)
      else if (row.event === "task.approve" || row.event === "task.return") onReview(row)
      else if (row.event === "summary.written") onSummary(row)
    },
    /** Findings so far (the summaries' recomputation). */
    findings: (): ReadonlyArray<Finding> => findings,
    /** Rows whose content predates the record of content: not covered by these checks. */
    uncovered: () => uncovered,
    /** Where the journal recorded a report, and whether `content` is what it recorded. */
    recorded: (id: string, content: ReportContent) => {
      const recorded = reports.get(id)
      return recorded === undefined ? undefined : { seq: recorded.seq, same: contentHash(content) === recorded.content }
    },
    /** A stored report against the journal: its content, and its review when it has one. */
    settleReport: (
      id: string,
      content: ReportContent,
      review: ReviewContent | null,
      explain?: (seq: number) => ReadonlyArray<string>,
    ): Finding[] => {
      const recorded = reports.get(id)
      if (recorded === undefined)
        return uncovered > 0
          ? []
          : [
              finding(
                null,
                "content",
                `报送 ${id} 不在日志中(库中多出的报送)`,
                `report ${id} is not in the journal (a report added to the database)`,
              ),
            ]
      const out: Finding[] = []
      if (contentHash(content) !== recorded.content) {
        const details = explain?.(recorded.seq) ?? []
        out.push(
          finding(
            recorded.seq,
            "content",
            `报送 ${id} 在库中的数据与日志所记不符${details.length > 0 ? `(${details.join(";")})` : ""}`,
            `report ${id} as stored differs from what the journal recorded${details.length > 0 ? ` (${details.join("; ")})` : ""}`,
          ),
        )
      }
      const reviewed = review === null ? undefined : contentHash(review)
      if (reviewed !== recorded.review?.content) {
        out.push(
          finding(
            recorded.review?.seq ?? recorded.seq,
            "content",
            `报送 ${id} 在库中的审核结果与日志所记不符`,
            `report ${id}'s review as stored differs from what the journal recorded`,
          ),
        )
      }
      reports.delete(id)
      return out
    },
    /** After every stored report was settled: reports the journal holds that the database lost. */
    missingReports: (): Finding[] =>
      [...reports].map(([id, r]) =>
        finding(r.seq, "content", `报送 ${id} 已从库中删除`, `report ${id} was deleted from the database`),
      ),
    /**
     * The files at hand (an export's `files/<sha256>`: each name with the hash of its bytes)
     * against the files each report carries as the journal recorded them.
     */
    settleFiles: (present: ReadonlyMap<string, string>): Finding[] =>
      files.flatMap(({ seq, report, attachments }) =>
        attachments.flatMap((file) => {
          const actual = present.get(file.sha256)
          if (actual === undefined)
            return [
              finding(
                seq,
                "content",
                `报送 ${report} 的附件“${file.name}”(${file.sha256.slice(0, 12)})不在导出中`,
                `report ${report}'s file "${file.name}" (${file.sha256.slice(0, 12)}) is missing from the export`,
              ),
            ]
          if (actual !== file.sha256)
            return [
              finding(
                seq,
                "content",
                `报送 ${report} 的附件“${file.name}”内容已被改动(哈希为 ${actual.slice(0, 12)},日志所记为 ${file.sha256.slice(0, 12)})`,
                `report ${report}'s file "${file.name}" was altered (its hash is ${actual.slice(0, 12)}, the journal recorded ${file.sha256.slice(0, 12)})`,
              ),
            ]
          return []
        }),
      ),
    /** The summary documents at hand against the hashes the journal recorded. */
    settleDocuments: (documents: ReadonlyArray<SummaryDocument>, complete: boolean): Finding[] => {
      const out: Finding[] = []
      const seen = new Set<string>()
      for (const doc of documents) {
        seen.add(`${doc.version}.${doc.format}`)
        const recorded = summaries.get(doc.version)
        const expected = recorded?.documents[doc.format]
        if (expected === undefined)
          out.push(
            finding(
              null,
              "summary",
              `第 ${doc.version} 版总结(${doc.format})不在日志中`,
              `summary version ${doc.version} (${doc.format}) is not in the journal`,
            ),
          )
        else if (expected !== doc.sha256)
          out.push(
            finding(
              recorded?.seq ?? null,
              "summary",
              `第 ${doc.version} 版总结(${doc.format})的内容与日志所记哈希不符(文件被改动)`,
              `summary version ${doc.version} (${doc.format}) does not match the hash the journal recorded (the document was altered)`,
            ),
          )
      }
      if (complete)
        for (const [version, recorded] of summaries)
          for (const format of Object.keys(recorded.documents))
            if (!seen.has(`${version}.${format}`))
              out.push(
                finding(
                  recorded.seq,
                  "summary",
                  `第 ${version} 版总结(${format})已被删除`,
                  `summary version ${version} (${format}) was deleted`,
                ),
              )
      return out
    },
  }
}
