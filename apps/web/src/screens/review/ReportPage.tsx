/**
 * One report, readable and printable (`/reports/:report`): its task and unit, figures,
 * narrative, files, who submitted and reviewed it (by name) with the 审批意见, times in the
 * campaign's zone. A resubmission shows why the earlier attempt came back and, field by
 * field, what changed since — in words, not only in colour.
 */
import type { ReportItem, TaskItem } from "@liandong/api"
import { useId } from "react"
import { useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { StatusBadge } from "../../components/StatusBadge.tsx"
import { formatDateTime, formatNumber } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"
import { FileList, ReportFacts } from "../inbox/ReportCard.tsx"

/** Each figure and narrative field of two attempts, and whether it changed. */
export const fieldDiff = (before: ReportItem, after: ReportItem) => {
  const rows: Array<{ kind: "figure" | "narrative"; key: string; before: string; after: string; changed: boolean }> = []
  for (const kind of ["figure", "narrative"] as const) {
    const a = kind === "figure" ? before.figures : before.narrative
    const b = kind === "figure" ? after.figures : after.narrative
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])])
      rows.push({ kind, key, before: a[key] ?? "", after: b[key] ?? "", changed: (a[key] ?? "") !== (b[key] ?? "") })
  }
  return rows
}

const Diff = ({ before, after, task }: { before: ReportItem; after: ReportItem; task: TaskItem | undefined }) => {
  const { t, lang, pick } = useI18n()
  const id = useId()
  const labelOf = (kind: "figure" | "narrative", key: string) => {
    const def = (kind === "figure" ? task?.figures : task?.narrative)?.find((d) => d.key === key)
    return def ? pick(def.label) : key
  }
  const show = (kind: "figure" | "narrative", value: string) =>
    value === "" ? t.review.empty : kind === "figure" ? formatNumber(value, lang) : value
  return (
    <section aria-labelledby={`${id}-h`} data-testid="resubmission">
      <h2 id={`${id}-h`}>{t.review.diff}</h2>
      {before.returnReason ? (
        <p className="return-reason" data-testid="earlier-reason">
          <strong>
            {t.review.earlierReason}
            {t.colon}
          </strong>{" "}
          {before.returnReason}
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="plain" data-testid="diff">
          <thead>
            <tr>
              <th scope="col">{t.review.field}</th>
              <th scope="col">{t.review.before}</th>
              <th scope="col">{t.review.now}</th>
              <th scope="col">{t.review.state}</th>
            </tr>
          </thead>
          <tbody>
            {fieldDiff(before, after).map((row) => (
              <tr key={`${row.kind}:${row.key}`} data-field={row.key} data-changed={row.changed ? "true" : "false"}>
                <th scope="row">{labelOf(row.kind, row.key)}</th>
                <td style={{ whiteSpace: "pre-wrap" }}>{show(row.kind, row.before)}</td>
                <td style={{ whiteSpace: "pre-wrap" }}>{show(row.kind, row.after)}</td>
                <td>{row.changed ? <strong>{t.review.changed}</strong> : t.review.unchanged}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

/** The report screen. */
export const ReportPage = ({ report }: { readonly report: string }) => {
  const { t, lang, pick } = useI18n()
  const { principal } = useSession()
  const id = useId()
  const detail = useResource((a) => a.run((client) => client.reports.get({ params: { report } })), [report])
  const r = detail.data
  const campaign = useResource(
    (a) =>
      r === undefined
        ? Promise.resolve(undefined)
        : a.run((client) => client.campaigns.get({ params: { campaign: r.campaign } })),
    [r?.campaign],
  )
  const task = useResource(
    (a) =>
      r === undefined
        ? Promise.resolve(undefined)
        : a.run((client) => client.tasks.get({ params: { campaign: r.campaign, unit: r.unit, task: r.task } })),
    [r?.ref],
  )
  if (detail.failure) return <ProblemNotice failure={detail.failure} onRetry={detail.reload} />
  if (r === undefined) return <Loading />
  const info = campaign.data
  const zone = info?.timeZone
  const when = (iso: string) => formatDateTime(iso, lang, zone)
  const unit = info?.units.find((u) => u.key === r.unit)
  const unitName = unit ? (pick({ zh: unit.name, en: unit.nameEn }) ?? r.unit) : r.unit
  const taskDef = task.data
  const taskName = taskDef ? pick(taskDef.title) : r.task
  const earlier = r.attempt > 1 ? r.attempts.find((a) => a.attempt === r.attempt - 1) : undefined
  return (
    <article className="panel report-page" aria-labelledby={`${id}-h`} data-report={r.id} data-status={r.status}>
      <div className="actions no-print">
        {principal?.role === "coordinator" ? (
          <Link to={`/campaigns/${encodeURIComponent(r.campaign)}/reviews`}>{t.review.backToQueue}</Link>
        ) : null}
        <button type="button" onClick={() => window.print()}>
          {t.review.print}
        </button>
      </div>
      <p className="muted" style={{ margin: 0 }}>
        {info ? pick({ zh: info.title, en: info.titleEn }) : r.campaign}
      </p>
      <h1 id={`${id}-h`}>
        {unitName} · {taskName}
      </h1>
      <p>
        {t.review.attempt(r.attempt)} <StatusBadge status={r.status} />
      </p>
      <dl className="facts">
        <dt>{t.review.unit}</dt>
        <dd>{unitName}</dd>
        <dt>{t.review.task}</dt>
        <dd>{taskName}</dd>
        <dt>{t.review.submittedBy}</dt>
        <dd data-testid="submitted-by">{r.submittedByName ?? r.submittedBy}</dd>
        <dt>{t.review.submittedAt}</dt>
        <dd>{when(r.submittedAt)}</dd>
        {taskDef ? (
          <>
            <dt>{t.review.deadline}</dt>
            <dd>{when(taskDef.deadline)}</dd>
          </>
        ) : null}
        {r.reviewedBy !== null ? (
          <>
            <dt>{t.review.reviewedBy}</dt>
            <dd data-testid="reviewed-by">{r.reviewedByName ?? r.reviewedBy}</dd>
          </>
        ) : null}
        {r.reviewedAt !== null ? (
          <>
            <dt>{t.review.reviewedAt}</dt>
            <dd>{when(r.reviewedAt)}</dd>
          </>
        ) : null}
        {r.status === "approved" && r.reviewComment !== null ? (
          <>
            <dt>{t.review.comment}</dt>
            <dd data-testid="review-comment">{r.reviewComment}</dd>
          </>
        ) : null}
        {r.status === "returned" && r.returnReason !== null ? (
          <>
            <dt>{t.history.reason}</dt>
            <dd>{r.returnReason}</dd>
          </>
        ) : null}
      </dl>
      <h2>{t.history.figures}</h2>
      <dl className="facts" data-testid="figures">
        <ReportFacts report={r} figures={taskDef?.figures} narrative={taskDef?.narrative} />
      </dl>
      {r.attachments.length > 0 ? (
        <section aria-label={t.files.legend}>
          <h2>{t.files.legend}</h2>
          <FileList files={r.attachments} report={r.id} />
        </section>
      ) : null}
      {earlier ? <Diff before={earlier} after={r} task={taskDef} /> : null}
      {zone ? <p className="muted">{t.review.zone(zone)}</p> : null}
    </article>
  )
}
