/**
 * One task in the inbox: title, state, deadline with countdown, reminders,
 * the reason it came back, and what the unit can do next.
 */
import type { TaskItem } from "@liandong/api"
import { useRef, useState } from "react"
import type { ApiFailure } from "../../api/Failure.ts"
import { newKey } from "../../api/Idempotency.ts"
import { Countdown } from "../../components/Countdown.tsx"
import { ProblemNotice } from "../../components/Problem.tsx"
import { StatusBadge } from "../../components/StatusBadge.tsx"
import { useI18n } from "../../i18n/I18n.tsx"
import { Link } from "../../router/Router.tsx"
import { useSession } from "../../session/Session.tsx"

/** The path of a task's page. */
export const taskPath = (task: Pick<TaskItem, "campaign" | "unit" | "task">) =>
  `/tasks/${encodeURIComponent(task.campaign)}/${encodeURIComponent(task.unit)}/${encodeURIComponent(task.task)}`

/** Shows a task; `actionable` when the signed-in unit may act on it. */
export const TaskCard = ({
  task,
  reason,
  actionable,
  onChanged,
  here = false,
}: {
  readonly task: TaskItem
  readonly reason: string | null
  readonly actionable: boolean
  readonly onChanged: (message: string) => void
  /** shown on the task's own page: no links to itself */
  readonly here?: boolean
}) => {
  const { t, pick } = useI18n()
  const { api } = useSession()
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const key = useRef<string | null>(null)
  const done = task.status === "approved" || task.status === "closed"
  const late = task.overdue && !done
  const acknowledge = async () => {
    key.current ??= newKey()
    setBusy(true)
    setFailure(null)
    try {
      await api.run((client) =>
        client.tasks.acknowledge({
          params: { campaign: task.campaign, unit: task.unit, task: task.task },
          headers: { "idempotency-key": key.current ?? undefined },
        }),
      )
      key.current = null
      onChanged(`${pick(task.title)}${t.colon}${t.inbox.acknowledged}`)
    } catch (cause) {
      setFailure(cause as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  const title = pick(task.title)
  return (
    <article
      className={`task${late ? " overdue" : ""}${task.status === "returned" ? " returned" : ""}${task.status === "approved" ? " approved" : ""}`}
      aria-label={title}
      data-task={task.ref}
      data-status={task.status}
    >
      <div className="task-head">
        {here ? null : (
          <h4 style={{ margin: 0 }}>
            <Link to={taskPath(task)}>{title}</Link>
          </h4>
        )}
        <StatusBadge status={task.status} />
        {task.returns > 0 ? <span className="muted">{t.inbox.returnedTimes(task.returns)}</span> : null}
        {task.reminded > 0 && !done ? <span className="muted">{t.status.reminded(task.reminded)}</span> : null}
      </div>
      {actionable || here ? null : (
        <p className="muted" style={{ margin: 0 }}>
          {task.unitName}
        </p>
      )}
      <div>
        <span className="muted">
          {t.time.deadline}
          {t.colon}
        </span>{" "}
        <Countdown deadline={task.deadline} overdue={late} done={done} />
      </div>
      {task.status === "returned" && reason ? (
        <p className="return-reason">
          <strong>
            {t.inbox.returnedReason}
            {t.colon}
          </strong>{" "}
          {reason}
        </p>
      ) : null}
      {failure ? <ProblemNotice failure={failure} /> : null}
      {actionable ? (
        <div className="actions">
          {task.status === "assigned" ? (
            <button type="button" className="primary" onClick={acknowledge} disabled={busy}>
              {t.inbox.acknowledge}
            </button>
          ) : null}
          {task.status === "acknowledged" && !here ? (
            <Link to={taskPath(task)} className="button primary">
              {t.inbox.report}
            </Link>
          ) : null}
          {task.status === "returned" && !here ? (
            <Link to={taskPath(task)} className="button primary">
              {t.inbox.resubmit}
            </Link>
          ) : null}
          {task.status !== "acknowledged" && task.status !== "returned" && !here ? (
            <Link to={taskPath(task)} className="button">
              {t.inbox.view}
            </Link>
          ) : null}
        </div>
      ) : null}
    </article>
  )
}
