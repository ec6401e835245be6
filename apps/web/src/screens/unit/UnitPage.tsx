/**
 * One unit's page in a campaign (`/campaigns/:campaign/units/:unit`): its tasks with
 * state and deadline, its reports with figures, review outcome and return reasons,
 * and its trail — the journal filtered to the unit. Everything comes from the same
 * reads as the other screens, as the signed-in person: a coordinator or an auditor
 * sees any unit, a unit itself and its subordinates; any other unit is "not found".
 */
import type { ReportItem, TaskItem, TrailEntry } from "@liandong/api"
import { useMemo } from "react"
import { useLive } from "../../api/Live.ts"
import { useLiveRound } from "../../api/LiveRound.ts"
import { allPages, pageQuery } from "../../api/Pages.ts"
import { reads } from "../../api/Reads.ts"
import { earlyList, earlyValue, useResource } from "../../api/Resource.ts"
import { Countdown } from "../../components/Countdown.tsx"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { StatusBadge } from "../../components/StatusBadge.tsx"
import { TableFrame } from "../../components/TableFrame.tsx"
import { formatDateTime } from "../../i18n/Format.ts"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"
import { Timeline } from "../audit/Timeline.tsx"
import { LiveBadge } from "../dashboard/LiveBadge.tsx"
import { unitPath } from "../dashboard/Matrix.tsx"
import { ReportCard } from "../inbox/ReportCard.tsx"

/** The unit page. */
export const UnitPage = ({ campaign, unit }: { readonly campaign: string; readonly unit: string }) => {
  const { t, lang, pick } = useI18n()
  const { principal } = useSession()
  const live = useLive(campaign)
  const round = useLiveRound(live)
  const detail = useResource(
    (api) => api.run((client) => client.campaigns.get({ params: { campaign } })),
    [campaign],
    earlyValue(reads.campaign(campaign)),
  )
  const tasks = useResource(
    (api) =>
      allPages((cursor) => api.run((client) => client.tasks.list({ query: { ...pageQuery(cursor), campaign, unit } }))),
    [campaign, unit, round],
    earlyList(reads.tasks({ campaign, unit })),
  )
  const reports = useResource(
    (api) =>
      allPages((cursor) =>
        api.run((client) => client.reports.list({ query: { ...pageQuery(cursor), campaign, unit } })),
      ),
    [campaign, unit, round],
    earlyList(reads.reports({ campaign, unit })),
  )
  const entries = useResource(
    (api) =>
      allPages((cursor) =>
        api.run((client) => client.audit.journal({ params: { campaign }, query: { ...pageQuery(cursor), unit } })),
      ),
    [campaign, unit, round],
    earlyList(reads.journal(campaign, unit)),
  )
  const info = detail.data
  const names = useMemo(
    () => ({
      unit: (key: string | null) => {
        const u = info?.units.find((x) => x.key === key)
        return u ? pick({ zh: u.name, en: u.nameEn }) : (key ?? "—")
      },
      task: (key: string | null) => {
        const task = info?.phases.flatMap((p) => p.tasks).find((x) => x.key === key)
        return task ? pick(task.title) : (key ?? "")
      },
      phase: (key: string) => {
        const phase = info?.phases.find((p) => p.key === key)
        return phase ? pick(phase.name) : key
      },
    }),
    [info, pick],
  )
  const taskMap = useMemo(
    () => new Map<string, TaskItem>((tasks.data ?? []).map((task) => [task.task, task])),
    [tasks.data],
  )
  if (detail.failure) return <ProblemNotice failure={detail.failure} onRetry={detail.reload} />
  if (info === undefined) return <Loading />
  const self = info.units.find((u) => u.key === unit)
  const back =
    principal?.role === "coordinator"
      ? `/campaigns/${encodeURIComponent(campaign)}`
      : principal?.role === "auditor"
        ? `/audit/${encodeURIComponent(campaign)}`
        : "/inbox"
  if (self === undefined)
    return (
      <section className="panel">
        <h1>{t.unitPage.notFound}</h1>
        <Link to={back}>{t.unitPage.back}</Link>
      </section>
    )
  const parent = self.parent === null ? undefined : info.units.find((u) => u.key === self.parent)
  const sortedReports: ReadonlyArray<ReportItem> = [...(reports.data ?? [])].sort((a, b) =>
    b.submittedAt.localeCompare(a.submittedAt),
  )
  const trail: ReadonlyArray<TrailEntry> = entries.data ?? []
  return (
    <>
      <p style={{ margin: "0 0 0.5rem" }}>
        <Link to={back}>← {t.unitPage.back}</Link>
      </p>
      <div className="task-head" style={{ marginBottom: "0.75rem" }}>
        <h1 style={{ margin: 0 }} data-testid="unit-heading">
          {names.unit(unit)}
        </h1>
        <LiveBadge live={live} />
      </div>
      <p className="muted">
        {pick({ zh: info.title, en: info.titleEn })}
        {parent ? (
          <>
            {" · "}
            {t.unitPage.parent}
            {t.colon}
            <Link to={unitPath(campaign, parent.key)}>{names.unit(parent.key)}</Link>
          </>
        ) : null}
      </p>
      <section className="panel" aria-labelledby="unit-tasks-h">
        <h2 id="unit-tasks-h">{t.unitPage.tasks}</h2>
        {tasks.failure ? <ProblemNotice failure={tasks.failure} onRetry={tasks.reload} /> : null}
        {tasks.data === undefined ? (
          <Loading />
        ) : tasks.data.length === 0 ? (
          <p className="muted">{t.unitPage.noTasks}</p>
        ) : (
          <TableFrame label={t.unitPage.tasks}>
            <table data-testid="unit-tasks">
              <caption className="visually-hidden">{t.unitPage.tasks}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.unitPage.task}</th>
                  <th scope="col">{t.unitPage.phase}</th>
                  <th scope="col">{t.unitPage.state}</th>
                  <th scope="col">{t.unitPage.deadline}</th>
                </tr>
              </thead>
              <tbody>
                {tasks.data.map((task) => (
                  <tr key={task.ref} data-task={task.task} data-status={task.status}>
                    <th scope="row">{pick(task.title)}</th>
                    <td>{pick(task.phaseName)}</td>
                    <td>
                      <StatusBadge status={task.status} />
                    </td>
                    <td>
                      <Countdown
                        deadline={task.deadline}
                        overdue={task.overdue && task.status !== "approved"}
                        done={task.status === "approved" || task.status === "closed"}
                        timeZone={info.timeZone}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        )}
      </section>
      <section className="panel" aria-labelledby="unit-reports-h">
        <h2 id="unit-reports-h">{t.unitPage.reports}</h2>
        {reports.failure ? <ProblemNotice failure={reports.failure} onRetry={reports.reload} /> : null}
        {reports.data === undefined ? (
          <Loading />
        ) : sortedReports.length === 0 ? (
          <p className="muted">{t.unitPage.noReports}</p>
        ) : (
          <ul className="task-list" data-testid="unit-reports">
            {sortedReports.map((report) => {
              const task = taskMap.get(report.task)
              return (
                <li key={report.id}>
                  <ReportCard
                    report={report}
                    figures={task?.figures}
                    narrative={task?.narrative}
                    title={names.task(report.task)}
                  />
                  <p className="muted" style={{ margin: "0.3rem 0 0" }}>
                    {t.dashboard.submittedBy(
                      report.submittedByName ?? report.submittedBy,
                      formatDateTime(report.submittedAt, lang),
                    )}
                    {report.reviewedAt !== null
                      ? ` · ${t.unitPage.reviewedBy(report.reviewedByName ?? report.reviewedBy ?? "—", formatDateTime(report.reviewedAt, lang))}`
                      : ""}
                  </p>
                </li>
              )
            })}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="unit-trail-h">
        <div className="task-head">
          <h2 id="unit-trail-h" style={{ margin: 0 }}>
            {t.unitPage.trail}
          </h2>
          {principal?.role === "coordinator" || principal?.role === "auditor" ? (
            <Link to={`/audit/${encodeURIComponent(campaign)}?unit=${encodeURIComponent(unit)}`}>
              {t.unitPage.fullTrail}
            </Link>
          ) : null}
        </div>
        {entries.failure ? <ProblemNotice failure={entries.failure} onRetry={entries.reload} /> : null}
        {entries.data === undefined ? <Loading /> : <Timeline entries={[...trail].reverse()} names={names} />}
      </section>
    </>
  )
}
