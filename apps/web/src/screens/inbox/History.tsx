/**
 * The unit's history: every report it sent, newest first, with its state and any reason for
 * return; it follows each campaign's journal, so a report sent or reviewed elsewhere shows at once.
 */
import type { ReportItem, TaskItem } from "@liandong/api"
import { CampaignLive } from "../../api/CampaignLive.tsx"
import { allPages, pageQuery } from "../../api/Pages.ts"
import { reads } from "../../api/Reads.ts"
import { earlyList, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"
import { ReportCard } from "./ReportCard.tsx"
import { taskPath } from "./TaskCard.tsx"

/** The history screen. */
export const History = () => {
  const { t, pick } = useI18n()
  const { principal } = useSession()
  const unit = principal?.unit ?? undefined
  const data = useResource(
    async (api) => {
      const [reports, tasks] = await Promise.all([
        allPages((cursor) =>
          api.run((client) => client.reports.list({ query: { ...pageQuery(cursor), ...(unit ? { unit } : {}) } })),
        ),
        allPages((cursor) =>
          api.run((client) => client.tasks.list({ query: { ...pageQuery(cursor), ...(unit ? { unit } : {}) } })),
        ),
      ])
      return { reports, tasks: new Map(tasks.map((task) => [task.ref, task])) }
    },
    [unit],
    unit === undefined
      ? undefined
      : async () => {
          const [reports, tasks] = await Promise.all([
            earlyList<ReportItem>(reads.reports({ unit }))(),
            earlyList<TaskItem>(reads.tasks({ unit }))(),
          ])
          return reports === undefined || tasks === undefined
            ? undefined
            : { reports, tasks: new Map(tasks.map((task) => [task.ref, task])) }
        },
  )
  const campaigns = [...new Set([...(data.data?.tasks.values() ?? [])].map((task) => task.campaign))]
  const live = campaigns.map((c) => <CampaignLive key={c} campaign={c} onChange={data.reload} />)
  if (data.failure)
    return (
      <>
        {live}
        <ProblemNotice failure={data.failure} onRetry={data.reload} />
      </>
    )
  if (data.data === undefined) return <Loading />
  const reports = [...data.data.reports].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt))
  return (
    <>
      {live}
      <h1>{t.history.heading}</h1>
      {reports.length === 0 ? <p className="panel">{t.history.empty}</p> : null}
      <div className="task-list">
        {reports.map((report) => {
          const task = data.data?.tasks.get(report.ref)
          return (
            <div key={report.id}>
              <ReportCard
                report={report}
                figures={task?.figures}
                narrative={task?.narrative}
                title={task ? pick(task.title) : report.task}
                heading="h2"
              />
              {task ? (
                <p style={{ margin: "0.25rem 0 0" }}>
                  <Link to={taskPath(task)}>{t.inbox.view}</Link>
                </p>
              ) : null}
            </div>
          )
        })}
      </div>
    </>
  )
}
