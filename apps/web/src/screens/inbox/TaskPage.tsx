/**
 * One task: what it asks, its deadline, acknowledging it, the report form
 * when the unit may report (again), and every report sent for it so far.
 */
import { useState } from "react"
import { CampaignLive } from "../../api/CampaignLive.tsx"
import { allPages, pageQuery } from "../../api/Pages.ts"
import { reads } from "../../api/Reads.ts"
import { earlyList, earlyValue, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"
import { ReportCard } from "./ReportCard.tsx"
import { ReportForm } from "./ReportForm.tsx"
import { TaskCard } from "./TaskCard.tsx"

/** The task screen for `/tasks/:campaign/:unit/:task`. */
export const TaskPage = ({ campaign, unit, task: taskKey }: { campaign: string; unit: string; task: string }) => {
  const { t, pick } = useI18n()
  const { principal } = useSession()
  const [submitted, setSubmitted] = useState(false)
  const task = useResource(
    (api) => api.run((client) => client.tasks.get({ params: { campaign, unit, task: taskKey } })),
    [campaign, unit, taskKey],
    earlyValue(reads.task(campaign, unit, taskKey)),
  )
  const reports = useResource(
    (api) =>
      allPages((cursor) =>
        api.run((client) => client.reports.list({ query: { ...pageQuery(cursor), campaign, unit, task: taskKey } })),
      ),
    [campaign, unit, taskKey],
    earlyList(reads.reports({ campaign, unit, task: taskKey })),
  )
  const reload = () => {
    task.reload()
    reports.reload()
  }
  if (task.failure) return <ProblemNotice failure={task.failure} onRetry={reload} />
  if (task.data === undefined) return <Loading />
  const item = task.data
  const attempts = [...(reports.data ?? [])].sort((a, b) => b.attempt - a.attempt)
  const mine = item.unit === principal?.unit && principal?.role === "unit"
  const canReport = mine && (item.status === "acknowledged" || item.status === "returned")
  const previous = attempts.find((r) => r.status === "returned")
  return (
    <>
      <CampaignLive campaign={campaign} onChange={reload} />
      <p>
        <Link to="/inbox">← {t.form.cancel}</Link>
      </p>
      <h1>{pick(item.title)}</h1>
      <p className="muted">
        {pick({ zh: item.campaignTitle, en: item.campaignTitleEn })} · {t.inbox.phase(pick(item.phaseName))} ·{" "}
        {item.unitName}
      </p>
      {item.description ? <p>{item.description}</p> : null}
      <TaskCard
        task={item}
        reason={item.status === "returned" ? (previous?.returnReason ?? null) : null}
        actionable={mine && item.status === "assigned"}
        onChanged={reload}
        here
      />
      {submitted && item.status === "submitted" ? (
        <p className="notice ok" role="status">
          {t.form.submitted}
        </p>
      ) : null}
      {canReport && reports.data !== undefined ? (
        <ReportForm
          key={`${item.ref}-${item.returns}`}
          task={item}
          previous={previous}
          onSubmitted={() => {
            setSubmitted(true)
            reload()
          }}
        />
      ) : null}
      {attempts.length > 0 ? (
        <section className="panel" aria-labelledby="attempts">
          <h2 id="attempts">{t.history.heading}</h2>
          <div className="task-list">
            {attempts.map((r) => (
              <ReportCard key={r.id} report={r} figures={item.figures} narrative={item.narrative} />
            ))}
          </div>
        </section>
      ) : null}
    </>
  )
}
