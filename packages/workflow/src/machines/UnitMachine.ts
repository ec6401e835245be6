/**
 * A unit's machine, compiled from the campaign: one parallel region per phase
 * the unit has tasks in (waiting → open → done | closed); inside an open
 * phase one region per task (assigned → acknowledged → submitted → approved,
 * or returned and submitted again).
 *
 * Follow-ups are collected in `context.outbox` by the transitions that ask
 * for them; the runtime empties it before each step and hands its contents to
 * the engine, so a step's effects are exactly what that step appended.
 */
import { assign, createMachine } from "xstate"
import { type Campaign, deadlineOf, escalationOf, type Phase, remindersOf, type Task } from "../Definition.ts"
import { isListed } from "../Listed.ts"
import { durationMs } from "../Time.ts"
import { type FollowUp, phaseDoneKey } from "./Events.ts"

/** What a unit's machine remembers about one task. */
export interface TaskContext {
  readonly acknowledgedAt: string | null
  readonly submittedAt: string | null
  readonly approvedAt: string | null
  readonly report: string | null
  readonly returns: number
  readonly lastReturnReason: string | null
  readonly reminded: number
  readonly overdue: boolean
  readonly overdueAt: string | null
  readonly deadlinePassed: boolean
}

/** A unit machine's context. */
export interface UnitContext {
  readonly unit: string
  readonly tasks: Readonly<Record<string, TaskContext>>
  readonly outbox: ReadonlyArray<FollowUp>
}

type Ev = { type: string; at: string; task?: string; phase?: string; report?: string; reason?: string; by?: string }
type Args = { context: UnitContext; event: Ev }

/** A task's memory before anything happened to it. */
export const blankTask: TaskContext = {
  acknowledgedAt: null,
  submittedAt: null,
  approvedAt: null,
  report: null,
  returns: 0,
  lastReturnReason: null,
  reminded: 0,
  overdue: false,
  overdueAt: null,
  deadlinePassed: false,
}

const updateTask = (
  key: string,
  change: (task: TaskContext, event: Ev) => Partial<TaskContext>,
  effects?: (event: Ev, context: UnitContext) => FollowUp[],
) =>
  assign(({ context, event }: Args) => {
    const task = context.tasks[key] ?? blankTask
    return {
      tasks: { ...context.tasks, [key]: { ...task, ...change(task, event) } },
      outbox: effects ? [...context.outbox, ...effects(event, context)] : context.outbox,
    }
  })

const emit = (effects: (event: Ev, context: UnitContext) => FollowUp[]) =>
  assign(({ context, event }: Args) => ({ outbox: [...context.outbox, ...effects(event, context)] }))

const remindKeys = (task: Task) => task.reminders.map((_, i) => `remind:${task.key}:${i}`)

/** Timers a report (or the phase's close) makes moot: reminders, and the escalation when there is one. */
const pendingKeys = (task: Task) => [
  ...remindKeys(task),
  ...(task.escalate === undefined ? [] : [`escalate:${task.key}`]),
]

const forTask =
  (key: string) =>
  ({ event }: Args) =>
    event.task === key
const forPhase =
  (key: string) =>
  ({ event }: Args) =>
    event.phase === key

const taskRegion = (task: Task, above: (unit: string) => string) => {
  const isTask = forTask(task.key)
  // A deadline passes once: a second one would change nothing, so it is refused.
  const deadlineAhead = ({ context, event }: Args) =>
    event.task === task.key && !(context.tasks[task.key]?.deadlinePassed ?? false)
  const remind = {
    guard: isTask,
    actions: updateTask(
      task.key,
      (t) => ({ reminded: t.reminded + 1 }),
      (_, context) => [{ type: "notify", unit: context.unit, kind: "reminder", task: task.key }],
    ),
  }
  const overdue = {
    guard: deadlineAhead,
    actions: updateTask(
      task.key,
      (_, e) => ({ overdue: true, overdueAt: e.at, deadlinePassed: true }),
      (_, context) => [{ type: "notify", unit: context.unit, kind: "overdue", task: task.key }],
    ),
  }
  const submit = {
    guard: isTask,
    target: "submitted",
    actions: updateTask(
      task.key,
      (_, e) => ({ submittedAt: e.at, report: e.report ?? null }),
      () => pendingKeys(task).map((key) => ({ type: "cancel", key }) as const),
    ),
  }
  // Still not reported long after the deadline: the unit above hears of it (逾期上报).
  const escalate = {
    guard: isTask,
    actions: emit((_, context) => [
      { type: "notify", unit: above(context.unit), kind: "escalated", task: task.key, about: context.unit },
    ]),
  }
  const sameReport = ({ context, event }: Args) =>
    event.task === task.key && context.tasks[task.key]?.report === event.report
  return {
    initial: "assigned",
    states: {
      assigned: {
        on: {
          "task.acknowledge": {
            guard: isTask,
            target: "acknowledged",
            actions: updateTask(task.key, (_, e) => ({ acknowledgedAt: e.at })),
          },
          "task.remind": remind,
          "task.deadline": overdue,
          "task.escalate": escalate,
        },
      },
      acknowledged: {
        on: { "task.submit": submit, "task.remind": remind, "task.deadline": overdue, "task.escalate": escalate },
      },
      submitted: {
        on: {
          "task.approve": {
            guard: sameReport,
            target: "approved",
            actions: updateTask(
              task.key,
              (_, e) => ({ approvedAt: e.at }),
              (_, context) => [
                { type: "cancel", key: `deadline:${task.key}` },
                { type: "notify", unit: context.unit, kind: "approved", task: task.key },
              ],
            ),
          },
          "task.return": {
            guard: sameReport,
            target: "returned",
            actions: updateTask(
              task.key,
              (t, e) => ({
                returns: t.returns + 1,
                lastReturnReason: e.reason ?? null,
                overdue: t.overdue || t.deadlinePassed,
                overdueAt: t.overdueAt ?? (t.deadlinePassed ? e.at : null),
              }),
              (_, context) => [{ type: "notify", unit: context.unit, kind: "returned", task: task.key }],
            ),
          },
          "task.deadline": { guard: deadlineAhead, actions: updateTask(task.key, () => ({ deadlinePassed: true })) },
        },
      },
      returned: {
        on: { "task.submit": submit, "task.remind": remind, "task.deadline": overdue, "task.escalate": escalate },
      },
      approved: { type: "final" },
    },
  }
}

const phaseRegion = (phase: Phase, tasks: ReadonlyArray<Task>, above: (unit: string) => string) => ({
  initial: "waiting",
  states: {
    waiting: {
      on: {
        "phase.open": {
          guard: forPhase(phase.key),
          target: "open",
          actions: emit((event, context) => [
            ...tasks.flatMap((task): FollowUp[] => [
              {
                type: "schedule",
                key: `deadline:${task.key}`,
                at: deadlineOf(task, context.unit),
                event: { type: "task.deadline", task: task.key },
              },
              ...escalationFor(task, context.unit),
              ...remindersOf(task, context.unit).flatMap((at, i): FollowUp[] =>
                at > event.at
                  ? [
                      {
                        type: "schedule",
                        key: `remind:${task.key}:${i}`,
                        at,
                        event: { type: "task.remind", task: task.key },
                      },
                    ]
                  : [],
              ),
            ]),
            { type: "notify", unit: context.unit, kind: "phase-opened", phase: phase.key },
          ]),
        },
      },
    },
    open: {
      type: "parallel",
      states: Object.fromEntries(tasks.map((task) => [task.key, taskRegion(task, above)])),
      onDone: {
        target: "done",
        actions: emit((_, context) => [
          {
            type: "send",
            to: { campaign: true },
            dedupe: phaseDoneKey(context.unit, phase.key),
            event: { type: "unit.phase-done", phase: phase.key, unit: context.unit },
          },
        ]),
      },
      on: {
        "phase.close": {
          guard: forPhase(phase.key),
          target: "closed",
          actions: emit(() =>
            tasks.flatMap((task) =>
              [...pendingKeys(task), `deadline:${task.key}`].map((key) => ({ type: "cancel", key }) as const),
            ),
          ),
        },
      },
    },
    done: { type: "final" },
    closed: { type: "final" },
  },
})

/** The escalation timer of a unit's task, when the task has one. */
const escalationFor = (task: Task, unit: string): FollowUp[] => {
  const at = escalationOf(task, unit, durationMs)
  return at === null
    ? []
    : [{ type: "schedule", key: `escalate:${task.key}`, at, event: { type: "task.escalate", task: task.key } }]
}

/** Who hears of a unit's escalated task: the unit above it, or the coordinator for a unit at the top. */
const aboveIn = (campaign: Campaign) => {
  const parents = new Map(campaign.units.map((u) => [u.key, u.parent]))
  return (unit: string): string => parents.get(unit) ?? campaign.coordinator
}

/** The tasks of a phase that a unit must do. */
export const unitTasks = (phase: Phase, unit: string): Task[] =>
  phase.tasks.filter((task) => isListed(task.units, unit))

/**
 * What a unit's machine is made of: its phases and their tasks. Units of the same shape
 * share one machine (the unit itself is read from the context), so a 50,000-unit campaign
 * compiles one machine, not 50,000.
 */
export const unitShape = (campaign: Campaign, unit: string): string =>
  campaign.phases
    .filter((phase) => isListed(phase.participants, unit))
    .map(
      (phase) =>
        `${phase.key}:${unitTasks(phase, unit)
          .map((t) => t.key)
          .join(",")}`,
    )
    .join(";")

/** Builds the machine of one participating unit (its context names the unit; its actions read it from there). */
export const buildUnitMachine = (campaign: Campaign, unit: string) => {
  const phases = campaign.phases.filter((phase) => isListed(phase.participants, unit))
  const tasks = phases.flatMap((phase) => unitTasks(phase, unit))
  const context: UnitContext = {
    unit,
    tasks: Object.fromEntries(tasks.map((task) => [task.key, blankTask])),
    outbox: [],
  }
  // The config is generated from data, so XState cannot infer it; events and context are typed above.
  return createMachine({
    id: "unit",
    type: "parallel",
    context,
    states: Object.fromEntries(
      phases.map((phase) => [phase.key, phaseRegion(phase, unitTasks(phase, unit), aboveIn(campaign))]),
    ),
  } as never)
}
