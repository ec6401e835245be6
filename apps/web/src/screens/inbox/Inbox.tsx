/**
 * The unit's inbox: its tasks by campaign and phase, deadlines counting
 * down, overdue marked, acknowledge in one click, the way to the report form,
 * and why a report came back. Subordinate units' tasks follow, to read only.
 */
import type { ReportItem, TaskItem } from "@liandong/api"
import { useMemo, useState } from "react"
import { CampaignLive } from "../../api/CampaignLive.tsx"
import { allPages, pageQuery } from "../../api/Pages.ts"
import { reads } from "../../api/Reads.ts"
import { earlyList, useResource } from "../../api/Resource.ts"
import { Loading, ProblemNotice } from "../../components/Problem.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { useSession } from "../../session/Session.tsx"
import { TaskCard } from "./TaskCard.tsx"

interface Group {
  readonly campaign: string
  readonly title: { readonly zh: string; readonly en: string | null }
  readonly phases: ReadonlyArray<{
    readonly key: string
    readonly name: TaskItem["phaseName"]
    readonly tasks: TaskItem[]
  }>
}

/** Groups tasks by campaign, then phase, in deadline order. */
const groupTasks = (tasks: ReadonlyArray<TaskItem>): Group[] => {
  const sorted = [...tasks].sort((a, b) => a.deadline.localeCompare(b.deadline))
  const groups = new Map<
    string,
    { title: Group["title"]; phases: Map<string, { name: TaskItem["phaseName"]; tasks: TaskItem[] }> }
  >()
  for (const task of sorted) {
    const group = groups.get(task.campaign) ?? {
      title: { zh: task.campaignTitle, en: task.campaignTitleEn },
      phases: new Map(),
    }
    groups.set(task.campaign, group)
    const phase = group.phases.get(task.phase) ?? { name: task.phaseName, tasks: [] }
    group.phases.set(task.phase, phase)
    phase.tasks.push(task)
  }
  return [...groups].map(([campaign, g]) => ({
    campaign,
    title: g.title,
    phases: [...g.phases].map(([key, p]) => ({ key, name: p.name, tasks: p.tasks })),
  }))
}

/** The latest return reason of each task (by ref). */
const returnReasons = (reports: ReadonlyArray<ReportItem>): Map<string, string> => {
  const out = new Map<string, string>()
  for (const r of [...reports].sort((a, b) => a.attempt - b.attempt)) {
    if (r.status === "returned" && r.returnReason) out.set(r.ref, r.returnReason)
  }
  return out
}

/** The inbox screen. */
export const Inbox = () => {
  const { t, pick } = useI18n()
  const { principal } = useSession()
  const [notice, setNotice] = useState<string | null>(null)
  const tasks = useResource(
    (api) => allPages((cursor) => api.run((client) => client.tasks.list({ query: pageQuery(cursor) }))),
    [],
    earlyList(reads.tasks()),
  )
  const reports = useResource(
    (api) =>
      allPages((cursor) =>
        api.run((client) => client.reports.list({ query: { ...pageQuery(cursor), status: "returned" } })),
      ),
    [],
    earlyList(reads.reports({ status: "returned" })),
  )
  const reload = () => {
    tasks.reload()
    reports.reload()
  }
  const reasons = useMemo(() => returnReasons(reports.data ?? []), [reports.data])
  const mine = (tasks.data ?? []).filter((task) => task.unit === principal?.unit)
  const others = (tasks.data ?? []).filter((task) => task.unit !== principal?.unit)
  const campaigns = [...new Set((tasks.data ?? []).map((task) => task.campaign))]
  return (
    <>
      {campaigns.map((c) => (
        <CampaignLive key={c} campaign={c} onChange={reload} />
      ))}
      <h1>{t.inbox.heading}</h1>
      <p className="visually-hidden" role="status" aria-live="polite">
        {notice ?? ""}
      </p>
      {tasks.failure ? <ProblemNotice failure={tasks.failure} onRetry={reload} /> : null}
      {tasks.data === undefined && tasks.loading ? <Loading /> : null}
      {tasks.data !== undefined && mine.length === 0 ? <p className="panel">{t.inbox.empty}</p> : null}
      {groupTasks(mine).map((group) => (
        <section key={group.campaign} className="panel" aria-labelledby={`c-${group.campaign}`}>
          <h2 id={`c-${group.campaign}`}>{pick(group.title)}</h2>
          {/* Not a landmark: two campaigns may both have a phase of the same name. */}
          {group.phases.map((phase) => (
            <section key={phase.key}>
              <h3>{t.inbox.phase(pick(phase.name))}</h3>
              <ul className="task-list">
                {phase.tasks.map((task) => (
                  <li key={task.ref}>
                    <TaskCard
                      task={task}
                      reason={reasons.get(task.ref) ?? null}
                      actionable
                      onChanged={(message) => {
                        setNotice(message)
                        reload()
                      }}
                    />
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </section>
      ))}
      {others.length > 0 ? (
        <section className="panel" aria-labelledby="subordinates">
          <h2 id="subordinates">{t.inbox.subordinates}</h2>
          <ul className="task-list">
            {others.map((task) => (
              <li key={task.ref}>
                <TaskCard task={task} reason={reasons.get(task.ref) ?? null} actionable={false} onChanged={reload} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  )
}
