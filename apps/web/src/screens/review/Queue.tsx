/**
 * The coordinator's review queue for one campaign: reports filtered, searched and sorted
 * by the server (filters in the URL); several awaiting review approved at once with one
 * comment (审批意见) after a confirmation, each by its own command and answered on its
 * own; a report returned on its own with its own reason.
 */
import type { ReportItem, TaskItem } from "@liandong/api"
import { type FormEvent, useId, useMemo, useRef, useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { newKey } from "../../api/Idempotency.ts"
import { allPages, pageQuery } from "../../api/Pages.ts"
import { useResource } from "../../api/Resource.ts"
import { CommentField } from "../../components/CommentField.tsx"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { StatusBadge } from "../../components/StatusBadge.tsx"
import { formatDateTime } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link, useRouter } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"
import { type QueueFilter, QueueFilters, queueFilterOf, queueQueryOf } from "./QueueFilters.tsx"

type Outcome = { readonly report: string; readonly outcome: string; readonly detail: string | null }

/** Returning one report: its own required reason. */
const ReturnForm = ({ report, onDone }: { readonly report: ReportItem; readonly onDone: (msg: string) => void }) => {
  const { t } = useI18n()
  const { api } = useSession()
  const id = useId()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState("")
  const [error, setError] = useState<string | null>(null)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [busy, setBusy] = useState(false)
  const key = useRef<string | null>(null)
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    if (reason.trim() === "") {
      setError(t.dashboard.reasonRequired)
      return
    }
    setError(null)
    setBusy(true)
    setFailure(null)
    key.current ??= newKey()
    try {
      await api.run((client) =>
        client.reports.return({
          params: { report: report.id },
          headers: { "idempotency-key": key.current as string },
          payload: { reason: reason.trim() },
        }),
      )
      key.current = null
      onDone(t.status.returned)
    } catch (cause) {
      setFailure(cause as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  if (!open)
    return (
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        {t.dashboard.returnIt}
      </button>
    )
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="return-form">
      {failure ? <ProblemNotice failure={failure} /> : null}
      <div className="field" data-invalid={error ? "true" : undefined}>
        <label htmlFor={`${id}-reason`}>{t.dashboard.reason}</label>
        <textarea
          id={`${id}-reason`}
          value={reason}
          maxLength={2000}
          onChange={(e) => {
            setReason(e.target.value)
            key.current = null
          }}
          aria-describedby={`${id}-hint${error ? ` ${id}-err` : ""}`}
          aria-invalid={error ? true : undefined}
          aria-required
          // biome-ignore lint/a11y/noAutofocus: the field appears because the reviewer asked to write a reason
          autoFocus
        />
        <span id={`${id}-hint`} className="hint">
          {t.dashboard.reasonHint}
        </span>
        {error ? (
          <span id={`${id}-err`} className="field-error" role="alert">
            {error}
          </span>
        ) : null}
      </div>
      <div className="actions">
        <button type="submit" className="danger" disabled={busy}>
          {t.dashboard.confirmReturn}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t.dashboard.cancel}
        </button>
      </div>
    </form>
  )
}

/** The queue screen for `/campaigns/:campaign/reviews`. */
export const Queue = ({ campaign }: { readonly campaign: string }) => {
  const { t, lang, pick } = useI18n()
  const { api } = useSession()
  const { search, path, navigate } = useRouter()
  const id = useId()
  const filter = queueFilterOf(search)
  const filterKey = queueQueryOf(filter)
  const [round, setRound] = useState(0)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [comment, setComment] = useState("")
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [outcomes, setOutcomes] = useState<ReadonlyArray<Outcome>>([])
  const bulkKey = useRef<{ what: string; key: string } | null>(null)
  const detail = useResource((a) => a.run((client) => client.campaigns.get({ params: { campaign } })), [campaign])
  const tasks = useResource(
    (a) => allPages((cursor) => a.run((client) => client.tasks.list({ query: { ...pageQuery(cursor), campaign } }))),
    [campaign],
  )
  const reports = useResource(
    (a) =>
      allPages((cursor) =>
        a.run((client) =>
          client.reports.list({
            query: {
              ...pageQuery(cursor),
              campaign,
              ...(filter.state === "" ? {} : { status: filter.state }),
              ...(filter.phase === "" ? {} : { phase: filter.phase }),
              ...(filter.task === "" ? {} : { task: filter.task }),
              ...(filter.unit === "" ? {} : { unit: filter.unit }),
              ...(filter.level === "" ? {} : { level: filter.level }),
              ...(filter.late === "" ? {} : { late: filter.late }),
              ...(filter.q === "" ? {} : { q: filter.q }),
              sort: filter.sort,
            },
          }),
        ),
      ),
    [campaign, filterKey, round],
  )
  const taskMap = useMemo(() => new Map((tasks.data ?? []).map((x: TaskItem) => [x.ref, x])), [tasks.data])
  const info = detail.data
  const unitName = (key: string) => {
    const unit = info?.units.find((u) => u.key === key)
    return unit ? (pick({ zh: unit.name, en: unit.nameEn }) ?? key) : key
  }
  const taskName = (key: string) => {
    const task = info?.phases.flatMap((p) => p.tasks).find((x) => x.key === key)
    return task ? pick(task.title) : key
  }
  const shown = reports.data ?? []
  const selectable = shown.filter((r) => r.status === "submitted")
  const chosen = selectable.filter((r) => selected.has(r.id))
  const allChosen = selectable.length > 0 && chosen.length === selectable.length
  const toggle = (report: string) =>
    setSelected((old) => {
      const next = new Set(old)
      if (next.has(report)) next.delete(report)
      else next.add(report)
      return next
    })
  const apply = (next: QueueFilter) => {
    setSelected(new Set())
    setConfirming(false)
    navigate(`${path}${queueQueryOf(next)}`, { replace: true, keepScroll: true })
  }
  const said = comment.trim() === "" ? "同意" : comment.trim()
  const approveChosen = async () => {
    setBusy(true)
    setFailure(null)
    const ids = chosen.map((r) => r.id)
    const what = `${ids.join(",")}|${said}`
    if (bulkKey.current?.what !== what) bulkKey.current = { what, key: newKey() }
    try {
      const answer = await api.run((client) =>
        client.reports.approveMany({
          headers: { "idempotency-key": bulkKey.current?.key as string },
          payload: { reports: ids, ...(comment.trim() === "" ? {} : { comment: comment.trim() }) },
        }),
      )
      bulkKey.current = null
      const refused = answer.results.filter((r) => r.outcome === "refused")
      setOutcomes(
        answer.results.map((r) => ({ report: r.report, outcome: r.outcome, detail: r.problem?.detail ?? null })),
      )
      setNotice(t.review.bulkDone(answer.results.length - refused.length, refused.length))
      setSelected(new Set())
      setConfirming(false)
      setComment("")
      setRound((n) => n + 1)
    } catch (cause) {
      setFailure(cause as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  if (detail.failure) return <ProblemNotice failure={detail.failure} onRetry={detail.reload} />
  if (info === undefined) return <Loading />
  const labelOf = (r: ReportItem) => `${unitName(r.unit)} · ${taskName(r.task)} · ${t.review.attempt(r.attempt)}`
  return (
    <section className="panel review-queue" aria-labelledby={`${id}-h`}>
      <p className="no-print">
        <Link to={`/campaigns/${encodeURIComponent(campaign)}`}>{pick({ zh: info.title, en: info.titleEn })}</Link>
      </p>
      <h1 id={`${id}-h`}>{t.review.heading}</h1>
      <QueueFilters
        key={filterKey}
        filter={filter}
        phases={info.phases.map((p) => ({ key: p.key, name: pick(p.name) }))}
        tasks={info.phases.flatMap((p) => p.tasks).map((x) => ({ key: x.key, name: pick(x.title) }))}
        units={info.units.map((u) => ({ key: u.key, name: unitName(u.key) }))}
        onApply={apply}
      />
      <div role="status" aria-live="polite" data-testid="queue-notice">
        {notice ? <p>{notice}</p> : null}
      </div>
      {outcomes.some((o) => o.outcome === "refused") ? (
        <ul data-testid="bulk-outcomes">
          {outcomes
            .filter((o) => o.outcome === "refused")
            .map((o) => (
              <li key={o.report}>
                {t.audit.report(o.report)}
                {t.colon}
                {t.review.outcomes[o.outcome as "refused"]}
                {o.detail ? `${t.open}${o.detail}${t.close}` : null}
              </li>
            ))}
        </ul>
      ) : null}
      {reports.failure ? <ProblemNotice failure={reports.failure} onRetry={reports.reload} /> : null}
      {reports.data === undefined ? (
        <Loading />
      ) : (
        <>
          <p className="muted" data-testid="queue-count">
            {t.review.shown(shown.length)}
          </p>
          {selectable.length > 0 ? (
            <div className="bulk" data-testid="bulk">
              <label className="check">
                <input
                  type="checkbox"
                  checked={allChosen}
                  onChange={() => setSelected(allChosen ? new Set() : new Set(selectable.map((r) => r.id)))}
                />{" "}
                {t.review.selectAll}
              </label>
              <CommentField id={id} value={comment} onChange={setComment} />
              {failure ? <ProblemNotice failure={failure} /> : null}
              {confirming ? (
                <fieldset className="confirm" data-testid="bulk-confirm">
                  <legend>{t.review.confirmBulk(chosen.length, said)}</legend>
                  <div className="actions">
                    <button type="button" className="primary" disabled={busy} onClick={() => void approveChosen()}>
                      {t.review.confirm}
                    </button>
                    <button type="button" onClick={() => setConfirming(false)}>
                      {t.review.cancel}
                    </button>
                  </div>
                </fieldset>
              ) : (
                <div className="actions">
                  <button
                    type="button"
                    className="primary"
                    disabled={chosen.length === 0}
                    onClick={() => setConfirming(true)}
                  >
                    {t.review.approveSelected(chosen.length)}
                  </button>
                </div>
              )}
            </div>
          ) : null}
          {shown.length === 0 ? (
            <p className="muted">{t.review.none}</p>
          ) : (
            <ul className="task-list queue" data-testid="queue">
              {shown.map((r) => {
                const task = taskMap.get(r.ref)
                const late = task !== undefined && new Date(r.submittedAt) > new Date(task.deadline)
                return (
                  <li key={r.id} data-report={r.id} data-unit={r.unit}>
                    <div className="queue-row">
                      {r.status === "submitted" ? (
                        <input
                          type="checkbox"
                          id={`${id}-pick-${r.id}`}
                          checked={selected.has(r.id)}
                          onChange={() => toggle(r.id)}
                          aria-label={t.review.select(labelOf(r))}
                        />
                      ) : null}
                      <div className="queue-main">
                        <p style={{ margin: 0 }}>
                          <strong>{unitName(r.unit)}</strong> · {taskName(r.task)} · {t.review.attempt(r.attempt)}{" "}
                          <StatusBadge status={r.status} />
                          {late ? <span className="badge overdue">{t.review.lateMark}</span> : null}
                        </p>
                        <p className="muted" style={{ margin: "0.2rem 0" }}>
                          {t.dashboard.submittedBy(
                            r.submittedByName ?? r.submittedBy,
                            formatDateTime(r.submittedAt, lang, info.timeZone),
                          )}
                          {task ? (
                            <>
                              {t.listSeparator}
                              {t.review.deadline}
                              {t.colon}
                              {formatDateTime(task.deadline, lang, info.timeZone)}
                            </>
                          ) : null}
                        </p>
                        <div className="actions">
                          <Link
                            to={`/reports/${encodeURIComponent(r.id)}`}
                            aria-label={`${t.review.open}${t.colon}${labelOf(r)}`}
                          >
                            {t.review.open}
                          </Link>
                          {r.status === "submitted" ? (
                            <ReturnForm
                              report={r}
                              onDone={(word) => {
                                setNotice(`${labelOf(r)}${t.colon}${word}`)
                                setRound((n) => n + 1)
                              }}
                            />
                          ) : null}
                        </div>
                      </div>
                    </div>
                  </li>
                )
              })}
            </ul>
          )}
        </>
      )}
    </section>
  )
}
