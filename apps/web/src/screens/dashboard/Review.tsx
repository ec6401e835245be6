/**
 * Reports waiting for the coordinator: each with its unit, task, figures and
 * narrative; approve with a comment (审批意见, "同意" when left empty), or return with
 * a reason the unit will read. The review queue screen filters and approves in bulk.
 */
import type { ReportItem, TaskItem } from "@liandong/api"
import { type FormEvent, useId, useRef, useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { newKey } from "../../api/Idempotency.ts"
import { CommentField } from "../../components/CommentField.tsx"
import { ProblemNotice } from "../../components/Problem.tsx"
import { formatDateTime } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"
import { ReportCard } from "../inbox/ReportCard.tsx"

/** One pending report with its approve and return actions. */
const PendingReport = ({
  report,
  task,
  unitName,
  onReviewed,
}: {
  readonly report: ReportItem
  readonly task: TaskItem | undefined
  readonly unitName: string
  readonly onReviewed: (message: string) => void
}) => {
  const { t, lang, pick } = useI18n()
  const { api } = useSession()
  const id = useId()
  const [returning, setReturning] = useState(false)
  const [reason, setReason] = useState("")
  const [comment, setComment] = useState("")
  const [reasonError, setReasonError] = useState<string | null>(null)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [busy, setBusy] = useState(false)
  const key = useRef<{ action: string; key: string } | null>(null)
  const keyFor = (action: string) => {
    if (key.current?.action !== action) key.current = { action, key: newKey() }
    return key.current.key
  }
  const title = task ? pick(task.title) : report.task
  const act = async (action: "approve" | "return") => {
    setBusy(true)
    setFailure(null)
    try {
      const headers = { "idempotency-key": keyFor(`${action}:${action === "approve" ? comment : reason}`) }
      const said = comment.trim()
      if (action === "approve")
        await api.run((client) =>
          client.reports.approve({
            params: { report: report.id },
            headers,
            payload: said === "" ? {} : { comment: said },
          }),
        )
      else
        await api.run((client) =>
          client.reports.return({ params: { report: report.id }, headers, payload: { reason: reason.trim() } }),
        )
      key.current = null
      onReviewed(`${unitName} · ${title}${t.colon}${action === "approve" ? t.status.approved : t.status.returned}`)
    } catch (cause) {
      setFailure(cause as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  const onReturn = (event: FormEvent) => {
    event.preventDefault()
    if (reason.trim() === "") {
      setReasonError(t.dashboard.reasonRequired)
      return
    }
    setReasonError(null)
    void act("return")
  }
  return (
    <li data-pending={report.ref}>
      <p style={{ margin: "0 0 0.3rem" }}>
        <strong>{unitName}</strong> · {title}{" "}
        <span className="muted">
          {t.dashboard.submittedBy(
            report.submittedByName ?? report.submittedBy,
            formatDateTime(report.submittedAt, lang),
          )}
        </span>
      </p>
      <ReportCard report={report} figures={task?.figures} narrative={task?.narrative} />
      {failure ? <ProblemNotice failure={failure} /> : null}
      {returning ? (
        <form onSubmit={onReturn} noValidate>
          <div className="field" data-invalid={reasonError ? "true" : undefined}>
            <label htmlFor={`${id}-reason`}>{t.dashboard.reason}</label>
            <textarea
              id={`${id}-reason`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-describedby={`${id}-hint${reasonError ? ` ${id}-err` : ""}`}
              aria-invalid={reasonError ? true : undefined}
              aria-required
              // biome-ignore lint/a11y/noAutofocus: the field appears because the reviewer asked to write a reason
              autoFocus
            />
            <span id={`${id}-hint`} className="hint">
              {t.dashboard.reasonHint}
            </span>
            {reasonError ? (
              <span id={`${id}-err`} className="field-error" role="alert">
                {reasonError}
              </span>
            ) : null}
          </div>
          <div className="actions">
            <button type="submit" className="danger" disabled={busy}>
              {t.dashboard.confirmReturn}
            </button>
            <button type="button" onClick={() => setReturning(false)}>
              {t.dashboard.cancel}
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <CommentField id={id} value={comment} onChange={setComment} />
          <button type="button" className="primary" disabled={busy} onClick={() => void act("approve")}>
            {t.dashboard.approve}
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => setReturning(true)}>
            {t.dashboard.returnIt}
          </button>
        </div>
      )}
    </li>
  )
}

/** The list of reports waiting for review. */
export const Review = ({
  reports,
  tasks,
  unitName,
  onReviewed,
}: {
  readonly reports: ReadonlyArray<ReportItem>
  readonly tasks: ReadonlyMap<string, TaskItem>
  readonly unitName: (key: string) => string
  readonly onReviewed: (message: string) => void
}) => {
  const { t } = useI18n()
  if (reports.length === 0) return <p className="muted">{t.dashboard.noPending}</p>
  return (
    <ul className="task-list" data-testid="pending">
      {reports.map((report) => (
        <PendingReport
          key={report.id}
          report={report}
          task={tasks.get(report.ref)}
          unitName={unitName(report.unit)}
          onReviewed={onReviewed}
        />
      ))}
    </ul>
  )
}
