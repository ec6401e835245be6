/**
 * Changing a running campaign: what a new definition changes for each unit's machine, what
 * cannot be applied safely and why, and the pure migration of a persisted snapshot from one
 * definition to the next. The engine applies a plan; `audit verify` replays the same
 * migration at the journal row that recorded it, so a replay holds across versions.
 *
 * What may change: deadlines, extensions and reminders not yet passed; tasks of phases not
 * yet opened; units joining a phase not yet closed, or leaving one they have not finished;
 * figures of tasks nobody has reported; wording. What may not: the key, the coordinator, the
 * time zone, the phases' list and order, anything of a closed phase, a time already passed.
 */
import { canonicalJson } from "./Canonical.ts"
import { type Campaign, deadlineOf, type Phase, remindersOf, type Task } from "./Definition.ts"
import { unitOf } from "./Hierarchy.ts"
import { isListed } from "./Listed.ts"
import type { CampaignContext } from "./machines/CampaignMachine.ts"
import type { TaskContext, UnitContext } from "./machines/UnitMachine.ts"
import { blankTask, unitTasks } from "./machines/UnitMachine.ts"
import { campaignView } from "./machines/Views.ts"
import { wallClockAt } from "./Time.ts"

/** One thing a change does, with the units it touches. */
export type ChangeItem =
  | { readonly kind: "unit-joins"; readonly unit: string; readonly phases: ReadonlyArray<string> }
  | { readonly kind: "unit-leaves"; readonly unit: string; readonly phases: ReadonlyArray<string> }
  | {
      readonly kind: "task-added"
      readonly phase: string
      readonly task: string
      readonly units: ReadonlyArray<string>
    }
  | {
      readonly kind: "task-withdrawn"
      readonly phase: string
      readonly task: string
      readonly units: ReadonlyArray<string>
    }
  | {
      readonly kind: "task-units"
      readonly phase: string
      readonly task: string
      readonly added: ReadonlyArray<string>
      readonly removed: ReadonlyArray<string>
    }
  | {
      readonly kind: "deadline-moved"
      readonly task: string
      readonly units: ReadonlyArray<string>
      readonly from: string
      readonly to: string
    }
  | { readonly kind: "reminders-changed"; readonly task: string; readonly units: ReadonlyArray<string> }
  | { readonly kind: "figures-changed"; readonly task: string }
  | { readonly kind: "phase-times"; readonly phase: string; readonly opensAt: string; readonly closesAt: string }
  | { readonly kind: "gate-changed"; readonly phase: string }
  | { readonly kind: "wording"; readonly what: string }

/** A change that cannot be applied, with where and why. */
export interface Refusal {
  readonly path: string
  readonly zh: string
  readonly en: string
}

/** What the campaign's machines are now: the campaign's snapshot and each unit machine's. */
export interface RunningState {
  readonly campaign: unknown
  readonly units: ReadonlyMap<string, unknown>
  /** the campaign clock's time: nothing may be moved before it */
  readonly now: string
  /** units that left the campaign: their machines stopped where they were, for good */
  readonly withdrawn?: ReadonlySet<string>
}

/** A change's plan: what it does, per unit too, and what stops it. */
export interface ChangePlan {
  readonly items: ReadonlyArray<ChangeItem>
  readonly refusals: ReadonlyArray<Refusal>
  /** units that get a machine: they took part in nothing before */
  readonly joining: ReadonlyArray<string>
  /** units that take part in nothing any more: their machines stop where they are */
  readonly leaving: ReadonlyArray<string>
  /** units joining the open phase: their machines take `phase.open` as part of the change */
  readonly opening: ReadonlyArray<string>
  /** per unit, the tasks whose deadline or reminders move in the open phase (their timers move) */
  readonly retimed: ReadonlyArray<{ readonly unit: string; readonly task: string }>
  /** per unit, the tasks it leaves in the open phase (their timers are cancelled) */
  readonly dropped: ReadonlyArray<{ readonly unit: string; readonly task: string }>
  /** phases whose opening or closing time moves (the campaign's timers move) */
  readonly phaseTimes: ReadonlyArray<{ readonly phase: string; readonly opens: boolean; readonly closes: boolean }>
}

type PhaseState = "waiting" | "open" | "closed"
type Persisted<C> = { value: unknown; context: C; status?: string; [k: string]: unknown }

const participantsOf = (campaign: Campaign): Set<string> => new Set(campaign.phases.flatMap((p) => p.participants))

const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b)

/** The task contexts of a unit, from its persisted snapshot. */
const tasksOf = (snapshot: unknown): Readonly<Record<string, TaskContext>> =>
  (snapshot as Persisted<UnitContext> | undefined)?.context.tasks ?? {}

/** The state of a phase's region in a unit's snapshot: waiting, open, done or closed (or absent). */
const regionOf = (snapshot: unknown, phase: string): string | undefined => {
  const region = ((snapshot as Persisted<UnitContext> | undefined)?.value as Record<string, unknown> | undefined)?.[
    phase
  ]
  return region === undefined ? undefined : typeof region === "string" ? region : "open"
}

/** The task's state inside an open region. */
const taskStateOf = (snapshot: unknown, phase: string, task: string): string | undefined => {
  const region = ((snapshot as Persisted<UnitContext> | undefined)?.value as Record<string, unknown> | undefined)?.[
    phase
  ]
  return typeof region === "object" && region !== null
    ? (region as { open?: Record<string, string> }).open?.[task]
    : undefined
}

/** A task's report-shaping parts: what a stored report was checked against. */
const shapeOf = (task: Task) => ({
  figures: task.figures.map((f) => ({ key: f.key, kind: f.kind, scale: f.scale, aggregate: f.aggregate })),
  required: [
    ...task.figures.filter((f) => f.required).map((f) => f.key),
    ...task.narrative.filter((n) => n.required).map((n) => n.key),
  ],
  narrative: task.narrative.map((n) => n.key),
})

/**
 * True when every report stored under `before` still fits `after`: no figure or narrative field
 * removed or retyped, none made required; labels, limits, rules and new optional items may change.
 */
const reportsStillFit = (before: Task, after: Task): boolean => {
  const a = shapeOf(before)
  const b = shapeOf(after)
  const figures = new Map(b.figures.map((f) => [f.key, f]))
  const kept = a.figures.every((f) => {
    const after = figures.get(f.key)
    return after !== undefined && sameJson(f, after)
  })
  const narrativeKept = a.narrative.every((key) => b.narrative.includes(key))
  const noNewRequired = b.required.every((key) => a.required.includes(key))
  return kept && narrativeKept && noNewRequired
}

const wordingOf = (campaign: Campaign) => ({
  title: campaign.title,
  titleEn: campaign.titleEn,
  theme: campaign.theme,
  authority: campaign.authority,
  summary: campaign.summary,
  units: campaign.units,
})

/** Plans changing a running campaign from `before` to `after`. Pure. */
export const planChange = (before: Campaign, after: Campaign, state: RunningState): ChangePlan => {
  const items: ChangeItem[] = []
  const refusals: Refusal[] = []
  const refuse = (path: string, zh: string, en: string) => refusals.push({ path, zh, en })
  const view = campaignView(before, state.campaign)
  const phaseState = (key: string): PhaseState => view.phases[key]?.state ?? "waiting"
  const context = (state.campaign as Persisted<CampaignContext>).context
  const joining: string[] = []
  const leaving: string[] = []
  const opening: string[] = []
  const retimed: Array<{ unit: string; task: string }> = []
  const dropped: Array<{ unit: string; task: string }> = []
  const phaseTimes: Array<{ phase: string; opens: boolean; closes: boolean }> = []
  const empty: ChangePlan = { items, refusals, joining, leaving, opening, retimed, dropped, phaseTimes }

  if (view.status !== "running") {
    refuse(
      "",
      view.status === "deployed" ? "活动尚未启动,请直接重新部署" : "活动已进入总结或已结束,不能再变更",
      view.status === "deployed"
        ? "the campaign has not started: redeploy it instead"
        : "the campaign is summarizing or closed and can no longer change",
    )
    return empty
  }
  if (after.key !== before.key) refuse("key", "活动标识不能变更", "the campaign key cannot change")
  if (after.coordinator !== before.coordinator)
    refuse("coordinator", "牵头单位不能变更", "the coordinating unit cannot change")
  if (after.timeZone !== before.timeZone) refuse("timeZone", "时区不能变更", "the time zone cannot change")
  const beforeKeys = before.phases.map((p) => p.key)
  const afterKeys = after.phases.map((p) => p.key)
  if (!sameJson(beforeKeys, afterKeys)) {
    refuse(
      "phases",
      `阶段不能增删或调换次序(原为 ${beforeKeys.join("、")})`,
      `phases cannot be added, removed or reordered (they are ${beforeKeys.join(", ")})`,
    )
    return empty
  }
  if (!sameJson(wordingOf(before), wordingOf(after))) items.push({ kind: "wording", what: "campaign" })
  for (const unit of before.units) {
    if (unitOf(after, unit.key) === undefined && participantsOf(before).has(unit.key))
      refuse(
        "units",
        `单位“${unit.name}”参加过本活动,不能从名单中删除;请让其退出任务`,
        `unit "${unit.key}" took part and cannot be removed from the list; withdraw it from its tasks instead`,
      )
  }

  // Units that take part in nothing before, or nothing after.
  const wasIn = participantsOf(before)
  const isIn = participantsOf(after)
  for (const unit of isIn) {
    if (wasIn.has(unit)) continue
    if (state.withdrawn?.has(unit))
      refuse(
        "units",
        `单位“${unit}”已退出本活动,不能再次加入`,
        `unit "${unit}" has left this campaign and cannot join it again`,
      )
    else joining.push(unit)
  }
  for (const unit of wasIn) if (!isIn.has(unit)) leaving.push(unit)

  before.phases.forEach((phaseBefore, i) => {
    const phaseAfter = after.phases[i] as Phase
    const path = `phases[${i}]`
    const current = phaseState(phaseBefore.key)
    const memory = context.phases[phaseBefore.key]
    const closed = current === "closed"
    const closedRefusal = (what: string, zh: string, en: string) =>
      refuse(what, `阶段“${phaseBefore.name.zh}”已结束,${zh}`, `phase "${phaseBefore.key}" has closed: ${en}`)
    // Times and gate.
    const opensMoved = phaseAfter.opensAt !== phaseBefore.opensAt
    const closesMoved = phaseAfter.closesAt !== phaseBefore.closesAt
    if (opensMoved || closesMoved) {
      if (closed) closedRefusal(`${path}`, "其时间不能再改", "its times cannot move")
      else {
        if (opensMoved && (memory?.due === true || current !== "waiting" || phaseBefore.opensAt <= state.now))
          refuse(`${path}.opensAt`, "阶段已开始,开始时间不能再改", "the phase has opened; its opening time cannot move")
        else if (opensMoved && phaseAfter.opensAt <= state.now)
          refuse(`${path}.opensAt`, "新的开始时间已经过去", "the new opening time has already passed")
        if (closesMoved && (memory?.deadlinePassed === true || phaseBefore.closesAt <= state.now))
          refuse(
            `${path}.closesAt`,
            "阶段的结束时间已过,不能再改",
            "the phase's closing time has passed and cannot move",
          )
        else if (closesMoved && phaseAfter.closesAt <= state.now)
          refuse(`${path}.closesAt`, "新的结束时间已经过去", "the new closing time has already passed")
        items.push({
          kind: "phase-times",
          phase: phaseAfter.key,
          opensAt: phaseAfter.opensAt,
          closesAt: phaseAfter.closesAt,
        })
        phaseTimes.push({ phase: phaseAfter.key, opens: opensMoved, closes: closesMoved })
      }
    }
    if (!sameJson(phaseBefore.gate, phaseAfter.gate)) {
      if (closed) closedRefusal(`${path}.gate`, "其关闭条件不能再改", "its gate cannot change")
      else items.push({ kind: "gate-changed", phase: phaseAfter.key })
    }
    if (!sameJson([phaseBefore.name, phaseBefore.heading], [phaseAfter.name, phaseAfter.heading]))
      items.push({ kind: "wording", what: phaseAfter.key })

    // Tasks.
    const tasksBefore = new Map(phaseBefore.tasks.map((t) => [t.key, t]))
    const tasksAfter = new Map(phaseAfter.tasks.map((t) => [t.key, t]))
    phaseAfter.tasks.forEach((task, j) => {
      if (tasksBefore.has(task.key)) return
      if (current !== "waiting")
        refuse(
          `${path}.tasks[${j}]`,
          `阶段“${phaseBefore.name.zh}”已开始,不能再增加任务“${task.title.zh}”;请加在尚未开始的阶段`,
          `phase "${phaseBefore.key}" has opened: task "${task.key}" can only be added to a phase not yet open`,
        )
      else items.push({ kind: "task-added", phase: phaseAfter.key, task: task.key, units: task.units })
    })
    for (const task of phaseBefore.tasks) {
      if (tasksAfter.has(task.key)) continue
      if (current !== "waiting")
        refuse(
          `${path}.tasks`,
          `阶段“${phaseBefore.name.zh}”已开始,不能撤回任务“${task.title.zh}”`,
          `phase "${phaseBefore.key}" has opened: task "${task.key}" cannot be withdrawn`,
        )
      else items.push({ kind: "task-withdrawn", phase: phaseBefore.key, task: task.key, units: task.units })
    }
    phaseAfter.tasks.forEach((task, j) => {
      const earlier = tasksBefore.get(task.key)
      if (earlier === undefined) return
      const tpath = `${path}.tasks[${j}]`
      const reported = earlier.units.filter((u) => tasksOf(state.units.get(u))[task.key]?.submittedAt != null)
      // Who takes it.
      const added = task.units.filter((u) => !isListed(earlier.units, u))
      const removed = earlier.units.filter((u) => !isListed(task.units, u))
      if (added.length > 0 || removed.length > 0) {
        if (closed) closedRefusal(`${tpath}.assign`, "其任务的承担单位不能再改", "who takes its tasks cannot change")
        else if (current === "open") {
          for (const unit of added) {
            if (isListed(phaseBefore.participants, unit))
              refuse(
                `${tpath}.assign`,
                `单位“${unit}”已在进行阶段“${phaseBefore.name.zh}”,不能在进行中增加任务“${task.title.zh}”`,
                `unit "${unit}" is already in phase "${phaseBefore.key}" and cannot be given task "${task.key}" while it runs`,
              )
          }
          for (const unit of removed) {
            const snapshot = state.units.get(unit)
            const stillIn = isListed(phaseAfter.participants, unit)
            const region = regionOf(snapshot, phaseBefore.key)
            if (stillIn)
              refuse(
                `${tpath}.assign`,
                `单位“${unit}”仍在阶段“${phaseBefore.name.zh}”中,不能只撤回其任务“${task.title.zh}”`,
                `unit "${unit}" stays in phase "${phaseBefore.key}" and cannot drop only task "${task.key}"`,
              )
            else if (region === "done")
              refuse(
                `${tpath}.assign`,
                `单位“${unit}”已完成阶段“${phaseBefore.name.zh}”,无需退出`,
                `unit "${unit}" has finished phase "${phaseBefore.key}" and need not leave it`,
              )
            else if (
              phaseBefore.tasks.some(
                (t) => isListed(t.units, unit) && taskStateOf(snapshot, phaseBefore.key, t.key) === "submitted",
              )
            )
              refuse(
                `${tpath}.assign`,
                `单位“${unit}”在阶段“${phaseBefore.name.zh}”有待审核的报告,请先审核再让其退出`,
                `unit "${unit}" has a report awaiting review in phase "${phaseBefore.key}"; review it before it leaves`,
              )
            else dropped.push({ unit, task: task.key })
          }
          for (const unit of added)
            if (!isListed(phaseBefore.participants, unit) && deadlineOf(task, unit) <= state.now)
              refuse(
                `${tpath}.deadline`,
                `单位“${unit}”加入时任务“${task.title.zh}”的截止时间已经过去,请同时为其延期`,
                `the deadline of task "${task.key}" has passed for joining unit "${unit}": grant it an extension too`,
              )
        }
        items.push({ kind: "task-units", phase: phaseAfter.key, task: task.key, added, removed })
      }
      // When: per unit that keeps the task.
      const kept = task.units.filter((u) => isListed(earlier.units, u))
      const moved = new Map<string, string[]>()
      const remindersMoved: string[] = []
      for (const unit of kept) {
        const from = deadlineOf(earlier, unit)
        const to = deadlineOf(task, unit)
        const remindersChanged = !sameJson(remindersOf(earlier, unit), remindersOf(task, unit))
        if (from === to && !remindersChanged) continue
        if (closed) {
          closedRefusal(`${tpath}.deadline`, "其截止时间不能再改", "its deadlines cannot move")
          continue
        }
        const memory = tasksOf(state.units.get(unit))[task.key]
        if (from !== to) {
          if (current === "open" && (memory?.deadlinePassed === true || from <= state.now)) {
            refuse(
              `${tpath}.deadline`,
              `单位“${unit}”的任务“${task.title.zh}”已过截止时间,不能再延期`,
              `the deadline of task "${task.key}" has passed for unit "${unit}" and cannot move`,
            )
            continue
          }
          if (to <= state.now) {
            refuse(
              `${tpath}.deadline`,
              `单位“${unit}”的新截止时间已经过去`,
              `the new deadline for unit "${unit}" has already passed`,
            )
            continue
          }
          const key = `${from}→${to}`
          moved.set(key, [...(moved.get(key) ?? []), unit])
        } else remindersMoved.push(unit)
        if (current === "open" && memory?.approvedAt == null) retimed.push({ unit, task: task.key })
      }
      for (const [key, units] of moved) {
        const [from, to] = key.split("→") as [string, string]
        items.push({ kind: "deadline-moved", task: task.key, units, from, to })
      }
      if (remindersMoved.length > 0) items.push({ kind: "reminders-changed", task: task.key, units: remindersMoved })
      // What it reports.
      const shapeBefore = { figures: earlier.figures, narrative: earlier.narrative, rules: earlier.rules ?? [] }
      const shapeAfter = { figures: task.figures, narrative: task.narrative, rules: task.rules ?? [] }
      if (!sameJson(shapeBefore, shapeAfter)) {
        if (closed) closedRefusal(`${tpath}.figures`, "其数据项不能再改", "its figures cannot change")
        else if (reported.length > 0 && !reportsStillFit(earlier, task))
          refuse(
            `${tpath}.figures`,
            `任务“${task.title.zh}”已有 ${reported.length} 家单位报送,不能删除或改变已报送的数据项,也不能新增必填项`,
            `task "${task.key}" has reports from ${reported.length} unit(s): reported figures cannot be removed or retyped, nor new required ones added`,
          )
        else items.push({ kind: "figures-changed", task: task.key })
      }
      if (!sameJson([earlier.title, earlier.description], [task.title, task.description]))
        items.push({ kind: "wording", what: task.key })
    })

    // Units entering or leaving the phase as a whole.
    const entering = phaseAfter.participants.filter((u) => !isListed(phaseBefore.participants, u))
    if (current === "open") for (const unit of entering) opening.push(unit)
  })

  // Per unit: joining and leaving.
  const phasesOf = (campaign: Campaign, unit: string) =>
    campaign.phases.filter((p) => isListed(p.participants, unit)).map((p) => p.key)
  for (const unit of joining) items.push({ kind: "unit-joins", unit, phases: phasesOf(after, unit) })
  for (const unit of leaving) items.push({ kind: "unit-leaves", unit, phases: phasesOf(before, unit) })
  return { items, refusals, joining, leaving, opening: [...new Set(opening)], retimed, dropped, phaseTimes }
}

const finalRegions = new Set(["done", "closed"])

/**
 * A unit's persisted snapshot under `after`: regions for the phases it now takes part in
 * (a new one waiting), task memories for its tasks (a new one blank); what it left dropped.
 * Returns the snapshot itself when nothing of its shape changes, so a replay gets the
 * very same object the engine stored.
 */
export const migrateUnitSnapshot = (after: Campaign, unit: string, persisted: unknown): unknown => {
  const snapshot = persisted as Persisted<UnitContext>
  const regions = snapshot.value as Record<string, unknown>
  const value: Record<string, unknown> = {}
  const tasks: Record<string, TaskContext> = {}
  for (const phase of after.phases) {
    if (!isListed(phase.participants, unit)) continue
    value[phase.key] = regions[phase.key] ?? "waiting"
    for (const task of unitTasks(phase, unit)) tasks[task.key] = snapshot.context.tasks[task.key] ?? blankTask
  }
  if (sameJson(value, regions) && sameJson(tasks, snapshot.context.tasks)) return persisted
  const finished = Object.values(value).every((r) => typeof r === "string" && finalRegions.has(r))
  return {
    ...snapshot,
    status: finished ? "done" : "active",
    value,
    context: { ...snapshot.context, tasks },
  }
}

/** The campaign's persisted snapshot under `after`: each phase counts its new participants. */
export const migrateCampaignSnapshot = (after: Campaign, persisted: unknown): unknown => {
  const snapshot = persisted as Persisted<CampaignContext>
  const phases = Object.fromEntries(
    after.phases.map((p) => {
      const memory = snapshot.context.phases[p.key] ?? { due: false, deadlinePassed: false, doneCount: 0 }
      return [p.key, { ...memory, participants: p.participants.length }]
    }),
  )
  if (sameJson(phases, snapshot.context.phases)) return persisted
  return { ...snapshot, context: { ...snapshot.context, phases } }
}

/** True when the unit takes part in some phase of the campaign. */
export const takesPart = (campaign: Campaign, unit: string): boolean =>
  campaign.phases.some((p) => isListed(p.participants, unit))

// ---- The common changes, made without writing code --------------------------

/** The units of `campaign.units` that take a phase's tasks, in definition order. */
const withParticipants = (campaign: Campaign, phases: ReadonlyArray<Phase>): Campaign => ({
  ...campaign,
  phases: phases.map((phase) => {
    const involved = new Set(phase.tasks.flatMap((t) => t.units))
    return { ...phase, participants: campaign.units.map((u) => u.key).filter((k) => involved.has(k)) }
  }),
})

const shifted = (instants: ReadonlyArray<string>, by: number) =>
  instants.map((at) => new Date(Date.parse(at) + by).toISOString())

/**
 * Extends a task's deadline (an ISO instant) for some units, or for all when `units` is
 * absent; reminders move with it. The plan decides whether it may be applied.
 */
export const extendDeadline = (
  campaign: Campaign,
  change: { readonly task: string; readonly deadline: string; readonly units?: ReadonlyArray<string> },
): Campaign =>
  withParticipants(
    campaign,
    campaign.phases.map((phase) => ({
      ...phase,
      tasks: phase.tasks.map((task): Task => {
        if (task.key !== change.task) return task
        const by = Date.parse(change.deadline) - Date.parse(task.deadline)
        if (change.units === undefined)
          return { ...task, deadline: change.deadline, reminders: shifted(task.reminders, by) }
        const extension = {
          units: [...change.units],
          deadline: change.deadline,
          reminders: shifted(task.reminders, by),
        }
        return { ...task, extensions: [...(task.extensions ?? []), extension] }
      }),
    })),
  )

/** Adds a unit (or takes one already listed) to the named tasks. */
export const addUnit = (
  campaign: Campaign,
  change: { readonly unit: Campaign["units"][number]; readonly tasks: ReadonlyArray<string> },
): Campaign => {
  const listed = unitOf(campaign, change.unit.key) !== undefined
  const withUnit: Campaign = listed ? campaign : { ...campaign, units: [...campaign.units, change.unit] }
  return withParticipants(
    withUnit,
    withUnit.phases.map((phase) => ({
      ...phase,
      tasks: phase.tasks.map((task) =>
        change.tasks.includes(task.key) && !isListed(task.units, change.unit.key)
          ? { ...task, units: [...task.units, change.unit.key] }
          : task,
      ),
    })),
  )
}

/** Withdraws a unit from every task of the named phases (its name stays on the list). */
export const withdrawUnit = (
  campaign: Campaign,
  change: { readonly unit: string; readonly phases: ReadonlyArray<string> },
): Campaign =>
  withParticipants(
    campaign,
    campaign.phases.map((phase) =>
      change.phases.includes(phase.key)
        ? {
            ...phase,
            tasks: phase.tasks.map((task) => {
              const extensions = (task.extensions ?? [])
                .map((e) => ({ ...e, units: e.units.filter((u) => u !== change.unit) }))
                .filter((e) => e.units.length > 0)
              const { extensions: _dropped, ...rest } = task
              return {
                ...rest,
                units: task.units.filter((u) => u !== change.unit),
                ...(extensions.length > 0 ? { extensions } : {}),
              }
            }),
          }
        : phase,
    ),
  )

// ---- In words ----------------------------------------------------------------

/** A plan's item in Chinese and English, names taken from the definition it leads to. */
export const changeText = (item: ChangeItem, campaign: Campaign): { zh: string; en: string } => {
  const unitName = (key: string) => unitOf(campaign, key)?.name ?? key
  const units = (keys: ReadonlyArray<string>) => keys.map(unitName).join("、")
  const task = (key: string) => campaign.phases.flatMap((p) => p.tasks).find((t) => t.key === key)?.title.zh ?? key
  const phase = (key: string) => campaign.phases.find((p) => p.key === key)?.name.zh ?? key
  const local = (at: string) =>
    wallClockAt(Date.parse(at), campaign.timeZone).toISOString().slice(0, 16).replace("T", " ")
  switch (item.kind) {
    case "unit-joins":
      return {
        zh: `${unitName(item.unit)}加入活动(${item.phases.map(phase).join("、")})`,
        en: `unit ${item.unit} joins (${item.phases.join(", ")})`,
      }
    case "unit-leaves":
      return {
        zh: `${unitName(item.unit)}退出活动,其状态机停在当前状态`,
        en: `unit ${item.unit} leaves; its machine stops where it is`,
      }
    case "task-added":
      return {
        zh: `阶段“${phase(item.phase)}”新增任务“${task(item.task)}”,由${units(item.units)}承担`,
        en: `task ${item.task} added to phase ${item.phase} for ${item.units.join(", ")}`,
      }
    case "task-withdrawn":
      return {
        zh: `阶段“${phase(item.phase)}”撤回任务“${item.task}”`,
        en: `task ${item.task} withdrawn from phase ${item.phase}`,
      }
    case "task-units": {
      const zh = [
        item.added.length > 0 ? `增加${units(item.added)}` : "",
        item.removed.length > 0 ? `减少${units(item.removed)}` : "",
      ].filter((x) => x !== "")
      const en = [
        item.added.length > 0 ? `adds ${item.added.join(", ")}` : "",
        item.removed.length > 0 ? `removes ${item.removed.join(", ")}` : "",
      ].filter((x) => x !== "")
      return { zh: `任务“${task(item.task)}”的承担单位${zh.join(",")}`, en: `task ${item.task} ${en.join(", ")}` }
    }
    case "deadline-moved":
      return {
        zh: `${units(item.units)}的任务“${task(item.task)}”截止时间由 ${local(item.from)} 改为 ${local(item.to)}`,
        en: `deadline of ${item.task} for ${item.units.join(", ")} moves from ${item.from} to ${item.to}`,
      }
    case "reminders-changed":
      return {
        zh: `${units(item.units)}的任务“${task(item.task)}”提醒时间调整`,
        en: `reminders of ${item.task} change for ${item.units.join(", ")}`,
      }
    case "figures-changed":
      return { zh: `任务“${task(item.task)}”的报送内容调整`, en: `what task ${item.task} reports changes` }
    case "phase-times":
      return {
        zh: `阶段“${phase(item.phase)}”时间改为 ${local(item.opensAt)} 至 ${local(item.closesAt)}`,
        en: `phase ${item.phase} now runs ${item.opensAt} to ${item.closesAt}`,
      }
    case "gate-changed":
      return { zh: `阶段“${phase(item.phase)}”的关闭条件调整`, en: `the gate of phase ${item.phase} changes` }
    case "wording":
      return { zh: `文字调整(${item.what})`, en: `wording (${item.what})` }
  }
}
