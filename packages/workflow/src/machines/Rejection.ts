/**
 * Why a state refuses an event, in words: which task or phase, the state it
 * is in, and what it would accept instead.
 */
import type { AnyMachineSnapshot } from "xstate"
import type { Campaign } from "../Definition.ts"
import type { AnyEvent } from "./Events.ts"
import { eventLabels } from "./Events.ts"

/** An event the machine's current state does not accept. */
export interface EventRejected {
  readonly state: string
  readonly accepts: ReadonlyArray<string>
  readonly zh: string
  readonly en: string
}

/** Chinese and English names of task states. */
export const taskStateLabels: Record<string, { zh: string; en: string }> = {
  waiting: { zh: "待开始", en: "waiting" },
  assigned: { zh: "已分派", en: "assigned" },
  acknowledged: { zh: "已确认接收", en: "acknowledged" },
  submitted: { zh: "已报送待审核", en: "submitted" },
  returned: { zh: "已退回待重报", en: "returned" },
  approved: { zh: "已审核通过", en: "approved" },
  closed: { zh: "阶段已关闭", en: "closed" },
}

/** The events each task state accepts. */
export const taskAccepts: Record<string, ReadonlyArray<string>> = {
  assigned: ["task.acknowledge", "task.remind", "task.deadline", "task.escalate"],
  acknowledged: ["task.submit", "task.remind", "task.deadline", "task.escalate"],
  submitted: ["task.approve", "task.return", "task.deadline"],
  returned: ["task.submit", "task.remind", "task.deadline", "task.escalate"],
  approved: [],
}

const label = (type: string) => eventLabels[type] ?? { zh: `“${type}”`, en: `"${type}"` }

const acceptedEvents = (snapshot: AnyMachineSnapshot): string[] => {
  const nodes = (snapshot as unknown as { _nodes: ReadonlyArray<{ ownEvents: ReadonlyArray<string> }> })._nodes
  return [
    ...new Set(nodes.flatMap((node) => node.ownEvents).filter((type) => !type.startsWith("xstate.") && type !== "")),
  ]
}

const rejection = (state: string, accepts: ReadonlyArray<string>, zh: string, en: string): EventRejected => {
  const zhAccepts = accepts.length > 0 ? `;当前可以:${accepts.map((a) => label(a).zh).join("、")}` : ""
  const enAccepts = accepts.length > 0 ? `; it accepts: ${accepts.map((a) => label(a).en).join(", ")}` : ""
  return { state, accepts, zh: `${zh}${zhAccepts}`, en: `${en}${enAccepts}` }
}

const stateOf = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))

/** Explains, in both languages, why `snapshot` does not accept `event`. */
export const explainRejection = (
  campaign: Campaign | undefined,
  snapshot: AnyMachineSnapshot,
  event: AnyEvent,
): EventRejected => {
  const action = label(event.type)
  const value = snapshot.value as unknown
  if (snapshot.status !== "active") {
    return rejection(stateOf(value), [], `已全部完成,不能再${action.zh}`, `everything is finished; cannot ${action.en}`)
  }
  const taskKey = typeof event.task === "string" ? event.task : undefined
  const phaseKey = typeof event.phase === "string" ? event.phase : undefined
  const phases = campaign?.phases ?? []
  if (taskKey !== undefined && typeof value === "object" && value !== null) {
    const task = phases.flatMap((p) => p.tasks).find((t) => t.key === taskKey)
    const region = task ? (value as Record<string, unknown>)[task.phase] : undefined
    if (task === undefined || region === undefined) {
      return rejection(stateOf(value), [], `本单位没有任务“${taskKey}”`, `this unit has no task "${taskKey}"`)
    }
    const phase = phases.find((p) => p.key === task.phase)
    const phaseName = phase?.name ?? { zh: task.phase, en: task.phase }
    if (typeof region === "string") {
      const [zh, en] =
        region === "waiting"
          ? [`阶段“${phaseName.zh}”尚未开始`, `phase "${phaseName.en ?? task.phase}" has not opened`]
          : [`阶段“${phaseName.zh}”已结束`, `phase "${phaseName.en ?? task.phase}" is over`]
      return rejection(
        `${task.phase}.${region}`,
        [],
        `${zh},不能${action.zh}任务“${task.title.zh}”`,
        `${en}; cannot ${action.en} task "${task.key}"`,
      )
    }
    const taskState = String((region as Record<string, Record<string, unknown>>).open?.[task.key] ?? "unknown")
    const stateLabel = taskStateLabels[taskState] ?? { zh: taskState, en: taskState }
    // The one step people miss: a task is acknowledged (确认接收) before it is reported.
    if (taskState === "assigned" && event.type === "task.submit")
      return rejection(
        `${task.phase}.open.${task.key}.${taskState}`,
        taskAccepts[taskState] ?? [],
        `任务“${task.title.zh}”尚未确认接收，请先确认接收再报送`,
        `task "${task.key}" has not been acknowledged; acknowledge it first, then report`,
      )
    return rejection(
      `${task.phase}.open.${task.key}.${taskState}`,
      taskAccepts[taskState] ?? [],
      `任务“${task.title.zh}”当前为“${stateLabel.zh}”,不能${action.zh}`,
      `task "${task.key}" is ${stateLabel.en}; it cannot ${action.en}`,
    )
  }
  const accepts = acceptedEvents(snapshot)
  if (phaseKey !== undefined && !phases.some((p) => p.key === phaseKey)) {
    return rejection(stateOf(value), accepts, `没有阶段“${phaseKey}”`, `there is no phase "${phaseKey}"`)
  }
  const phase = phases.find((p) => p.key === phaseKey)
  if (phase !== undefined) {
    return rejection(
      stateOf(value),
      accepts,
      `阶段“${phase.name.zh}”当前状态不能${action.zh}(${stateOf(value)})`,
      `phase "${phase.key}" cannot ${action.en} in state ${stateOf(value)}`,
    )
  }
  const zhState =
    value === "ready" ? "活动尚未启动" : value === "closed" ? "活动已结束" : `当前状态为 ${stateOf(value)}`
  return rejection(
    stateOf(value),
    accepts,
    `${zhState},不能${action.zh}`,
    `in state ${stateOf(value)}; cannot ${action.en}`,
  )
}
