/**
 * Plain projections of persisted snapshots, for the read-model columns and
 * rows the engine writes beside them (machines.phase/status/overdue, tasks).
 */
import { type Campaign, deadlineOf } from "../Definition.ts"
import type { CampaignContext } from "./CampaignMachine.ts"
import type { TaskContext, UnitContext } from "./UnitMachine.ts"
import { unitTasks } from "./UnitMachine.ts"

/** A task as one unit sees it. */
export interface TaskView {
  readonly task: string
  readonly phase: string
  readonly status: "waiting" | "assigned" | "acknowledged" | "submitted" | "returned" | "approved" | "closed"
  readonly deadline: string
  readonly overdue: boolean
  readonly reminded: number
  readonly returns: number
  readonly report: string | null
  readonly acknowledgedAt: string | null
  readonly submittedAt: string | null
  readonly approvedAt: string | null
}

/** A unit's progress. */
export interface UnitView {
  /** The open phase, else the first waiting one, else null. */
  readonly phase: string | null
  readonly status: "waiting" | "active" | "done" | "closed"
  readonly overdue: boolean
  readonly tasks: ReadonlyArray<TaskView>
}

type Persisted<C> = { value: unknown; context: C }

/** What a unit's persisted snapshot says about its phases and tasks. */
export const unitView = (campaign: Campaign, unit: string, persisted: unknown): UnitView => {
  const { value, context } = persisted as Persisted<UnitContext>
  const regions = value as Record<string, unknown>
  const tasks: TaskView[] = []
  const phaseStates: Array<[string, string]> = []
  for (const phase of campaign.phases) {
    const region = regions[phase.key]
    if (region === undefined) continue
    const phaseState = typeof region === "string" ? region : "open"
    phaseStates.push([phase.key, phaseState])
    for (const task of unitTasks(phase, unit)) {
      const memory = context.tasks[task.key] as TaskContext
      const inner =
        typeof region === "object" && region !== null
          ? (region as { open?: Record<string, string> }).open?.[task.key]
          : undefined
      const status =
        phaseState === "waiting"
          ? "waiting"
          : phaseState === "done"
            ? "approved"
            : phaseState === "closed"
              ? memory.approvedAt !== null
                ? "approved"
                : "closed"
              : ((inner ?? "assigned") as TaskView["status"])
      tasks.push({
        task: task.key,
        phase: phase.key,
        status,
        deadline: deadlineOf(task, unit),
        overdue: memory.overdue,
        reminded: memory.reminded,
        returns: memory.returns,
        report: memory.report,
        acknowledgedAt: memory.acknowledgedAt,
        submittedAt: memory.submittedAt,
        approvedAt: memory.approvedAt,
      })
    }
  }
  const open = phaseStates.find(([, s]) => s === "open")
  const waiting = phaseStates.find(([, s]) => s === "waiting")
  const finished = phaseStates.every(([, s]) => s === "done" || s === "closed")
  return {
    phase: open?.[0] ?? waiting?.[0] ?? null,
    status: open ? "active" : finished ? (phaseStates.some(([, s]) => s === "closed") ? "closed" : "done") : "waiting",
    overdue: tasks.some((t) => t.overdue && t.status !== "approved" && t.status !== "closed"),
    tasks,
  }
}

/** A campaign's progress. */
export interface CampaignView {
  readonly status: "deployed" | "running" | "summarizing" | "closed"
  readonly phase: string | null
  readonly phases: Readonly<
    Record<string, { state: "waiting" | "open" | "closed"; doneCount: number; participants: number }>
  >
}

/** What the campaign's persisted snapshot says. */
export const campaignView = (campaign: Campaign, persisted: unknown): CampaignView => {
  const { value, context } = persisted as Persisted<CampaignContext>
  const running =
    typeof value === "object" && value !== null ? (value as { running?: Record<string, string> }).running : undefined
  const status =
    value === "ready" ? "deployed" : running !== undefined ? "running" : (value as "summarizing" | "closed")
  const currentIndex = running === undefined ? -1 : campaign.phases.findIndex((p) => p.key in running)
  const phases: Record<string, { state: "waiting" | "open" | "closed"; doneCount: number; participants: number }> = {}
  campaign.phases.forEach((phase, i) => {
    const memory = context.phases[phase.key]
    const state =
      status === "deployed"
        ? "waiting"
        : status !== "running" || i < currentIndex
          ? "closed"
          : i > currentIndex
            ? "waiting"
            : ((running?.[phase.key] ?? "waiting") as "waiting" | "open" | "closed")
    phases[phase.key] = { state, doneCount: memory?.doneCount ?? 0, participants: memory?.participants ?? 0 }
  })
  return { status, phase: currentIndex >= 0 ? (campaign.phases[currentIndex]?.key ?? null) : null, phases }
}
