/**
 * Changing a running campaign (plan and apply). A plan says what a new definition changes
 * for each unit's machine and refuses what cannot be applied safely; applying it records
 * the new version and, in the same transaction, migrates every machine to it, moves the
 * timers it moves, and journals one `campaign.changed` event on the campaign's machine with
 * the coordinator, the reason and the definition's hash. Units joining the open phase then
 * take `phase.open`, journaled under the same cause. `audit verify` replays the migration at
 * that row, so the whole campaign replays across its versions.
 */
import type { MachineRow } from "@liandong/store"
import {
  addUnit,
  type Campaign,
  type ChangePlan,
  campaignHash,
  changeText,
  deadlineOf,
  decodeCampaign,
  durationMs,
  escalationOf,
  extendDeadline,
  initial,
  migrateCampaignSnapshot,
  migrateUnitSnapshot,
  planChange,
  remindersOf,
  resolveTime,
  unitOf,
  unitTasks,
  unitView,
  withdrawUnit,
} from "@liandong/workflow"
import { Effect, Schema } from "effect"
import { type SqlBool, sql } from "kysely"
import type { Actor } from "../Actor.ts"
import { canSeeCampaign, manages } from "../Authz.ts"
import { journalDenial, refuseUnseen } from "../audit/Denials.ts"
import { query, type Tx } from "../Db.ts"
import { compiledFor, type LoadedCampaign, loadCampaign } from "../Definitions.ts"
import { CampaignState, InvalidInput, NotAllowed, NotFound } from "../Errors.ts"
import { journaled, journalPosition } from "../Journal.ts"
import { decode } from "../Refs.ts"
import { applyToMachine, taskRow } from "../Step.ts"
import {
  cancelMachineTimers,
  cancelTimersLike,
  lockCampaignMachines,
  markWithdrawn,
  mootMessagesTo,
  repinMachines,
  replaceTaskRows,
  rescheduleTimers,
  writeMigrated,
} from "../sql/Change.ts"
import { insertDefinition, insertMachines, lockCampaignForDeploy, repinCampaign } from "../sql/Deploy.ts"
import { nowIso } from "./Common.ts"
import { writeUnits } from "./DeployUnits.ts"

/** What a change reports back: the plan, and whether (and as which version) it was applied. */
export interface Changed {
  readonly campaign: string
  readonly applied: boolean
  /** the new version, or the current one when nothing changed or only planned */
  readonly version: number
  readonly hash: string
  readonly unchanged: boolean
  readonly plan: ChangePlan
  /** each of the plan's items in words, in the same order */
  readonly words: ReadonlyArray<{ readonly zh: string; readonly en: string }>
  /** the journal's length after the change, when applied */
  readonly journal: number | null
}

const notCoordinator = (actor: Actor, key: string) =>
  new NotAllowed({
    actor: actor.id,
    action: "change",
    zh: `“${actor.id}”不是活动“${key}”的牵头人员,无权变更`,
    en: `"${actor.id}" does not coordinate campaign "${key}" and may not change it`,
  })

/** A reason is required: the journal says why each change was made. */
const Reason = Schema.String.check(
  Schema.isTrimmed({ message: "变更理由首尾不能有空格 / the reason must not start or end with spaces" }),
  Schema.isMinLength(2, {
    message: "须说明变更理由(至少 2 字) / give the reason for the change (2 characters at least)",
  }),
  Schema.isMaxLength(500, { message: "变更理由最多 500 字 / the reason is at most 500 characters" }),
)

/** The machines of a campaign as a plan reads them. */
const runningState = (machines: ReadonlyArray<MachineRow>, now: string) => {
  const campaign = machines.find((m) => m.kind === "campaign")
  const units = new Map<string, unknown>()
  const withdrawn = new Set<string>()
  for (const m of machines) {
    if (m.kind !== "unit") continue
    if (m.status === "withdrawn") withdrawn.add(m.unit_key as string)
    else units.set(m.unit_key as string, m.snapshot)
  }
  return { campaign: campaign?.snapshot, units, now, withdrawn }
}

/** The timers a unit's task has while its phase is open, under `definition`, from `now` on. */
const taskTimers = (definition: Campaign, unit: string, taskKey: string, now: string) => {
  const task = definition.phases.flatMap((p) => p.tasks).find((t) => t.key === taskKey)
  if (task === undefined) return []
  const deadline = deadlineOf(task, unit)
  const escalation = escalationOf(task, unit, durationMs)
  return [
    { key: `deadline:${task.key}`, due_at: deadline, event: { type: "task.deadline", task: task.key, at: deadline } },
    ...(escalation === null
      ? []
      : [
          {
            key: `escalate:${task.key}`,
            due_at: escalation,
            event: { type: "task.escalate", task: task.key, at: escalation },
          },
        ]),
    ...remindersOf(task, unit).flatMap((at, i) =>
      at > now
        ? [{ key: `remind:${task.key}:${i}`, due_at: at, event: { type: "task.remind", task: task.key, at } }]
        : [],
    ),
  ]
}

/**
 * Plans and, unless `dryRun`, applies `next` over the running campaign, in one transaction
 * that first locks every machine of the campaign (in id order, as steps lock them), then the
 * campaign's row.
 */
const change = (next: Campaign, reason: string, actor: Actor, dryRun: boolean) =>
  Effect.gen(function* () {
    const at = yield* nowIso
    const when = new Date(at)
    const hash = campaignHash(next)
    return yield* journaled(dryRun ? "plan" : "change", (tx) =>
      Effect.gen(function* () {
        const machines = yield* query("change.lockMachines", (db) => lockCampaignMachines(db, next.key), tx)
        const locked = yield* query("change.lockCampaign", (db) => lockCampaignForDeploy(db, next.key), tx)
        if (locked === undefined) return yield* new NotFound({ what: "campaign", ref: next.key })
        const loaded = yield* loadCampaign(next.key, tx)
        // Checked under the lock: the coordinator of the campaign as it stands, and of the new definition.
        if (!manages(actor, loaded.definition) || !manages(actor, next)) return yield* notCoordinator(actor, next.key)
        if (locked.status === "deployed")
          return yield* new CampaignState({
            campaign: next.key,
            status: locked.status,
            zh: `活动“${next.key}”尚未启动,请直接重新部署`,
            en: `campaign "${next.key}" has not started: redeploy it instead`,
          })
        const plan = planChange(loaded.definition, next, runningState(machines, at))
        const result = (applied: boolean, version: number, journal: number | null): Changed => ({
          campaign: next.key,
          applied,
          version,
          hash: applied ? hash : locked.hash,
          unchanged: locked.hash === hash,
          plan,
          words: plan.items.map((item) => changeText(item, next)),
          journal,
        })
        if (locked.hash === hash || dryRun) return result(false, locked.version, null)
        if (plan.refusals.length > 0) return yield* new InvalidInput({ problems: plan.refusals })
        const version = locked.version + 1
        return result(
          true,
          version,
          yield* applyPlan(tx, { loaded, next, hash, version, plan, machines, reason, actor, when }),
        )
      }),
    )
  })

interface Application {
  readonly loaded: LoadedCampaign
  readonly next: Campaign
  readonly hash: string
  readonly version: number
  readonly plan: ChangePlan
  readonly machines: ReadonlyArray<MachineRow>
  readonly reason: string
  readonly actor: Actor
  readonly when: Date
}

/** Writes an accepted plan: the version, the units, the machines, the timers, the journal. */
const applyPlan = (tx: Tx, a: Application) =>
  Effect.gen(function* () {
    const { loaded, next, hash, version, plan, reason, actor, when } = a
    const campaignId = next.key
    const at = when.toISOString()
    const definitionId = yield* query(
      "definitions.insert",
      (db) => insertDefinition(db, campaignId, version, hash, next),
      tx,
    )
    yield* query("campaign.repin", (db) => repinCampaign(db, campaignId, definitionId), tx)
    yield* writeUnits(tx, next)
    const after: LoadedCampaign = {
      row: loaded.row,
      definition: next,
      hash,
      compiled: compiledFor(hash, next),
    }
    const leaving = new Set(plan.leaving)
    yield* query("change.repinMachines", (db) => repinMachines(db, campaignId, hash, plan.leaving), tx)
    // Units that take part in nothing any more stop where they are: no timers, no messages, no tasks.
    const left = a.machines.filter((m) => m.unit_key !== null && leaving.has(m.unit_key))
    if (left.length > 0) {
      const ids = left.map((m) => m.id)
      yield* query("change.withdraw", (db) => markWithdrawn(db, campaignId, plan.leaving), tx)
      yield* query("change.cancelTimers", (db) => cancelMachineTimers(db, ids, when), tx)
      yield* query("change.mootMessages", (db) => mootMessagesTo(db, ids, when), tx)
      for (const m of left)
        yield* query("change.tasks", (db) => replaceTaskRows(db, campaignId, m.unit_key as string, []), tx)
    }
    // Every other unit's snapshot migrates; those whose shape or deadlines change get their task rows anew.
    const rows = new Map<string, MachineRow>()
    const moved = new Set(
      plan.items.flatMap((item) => (item.kind === "deadline-moved" ? item.units : [])).concat(plan.opening),
    )
    for (const m of a.machines) {
      if (m.kind !== "unit" || leaving.has(m.unit_key as string)) continue
      const unit = m.unit_key as string
      const snapshot = migrateUnitSnapshot(next, unit, m.snapshot)
      let row: MachineRow = { ...m, machine_hash: hash }
      if (snapshot !== m.snapshot) {
        const view = unitView(next, unit, snapshot)
        const written = yield* query(
          "change.migrate",
          (db) => writeMigrated(db, m, { snapshot, phase: view.phase, status: view.status, at: when }),
          tx,
        )
        if (!written) return yield* Effect.die(new Error(`machine ${m.id} was not at version ${m.version}`))
        row = { ...row, snapshot, version: m.version + 1, phase: view.phase, status: view.status }
      }
      if (snapshot !== m.snapshot || moved.has(unit)) yield* writeTaskRows(tx, next, unit, row.snapshot, when)
      rows.set(unit, row)
    }
    // Units that took part in nothing before get a machine, waiting.
    for (const unit of plan.joining) {
      const start = initial(after.compiled.unitMachine(unit))
      const view = unitView(next, unit, start.snapshot)
      const [id] = yield* query(
        "change.createMachine",
        (db) =>
          insertMachines(db, [
            {
              campaign_id: campaignId,
              kind: "unit",
              unit_key: unit,
              snapshot: JSON.stringify(start.snapshot),
              version: 1,
              machine_hash: hash,
              phase: view.phase,
              status: view.status,
              overdue: false,
              updated_at: when,
            },
          ]),
        tx,
      )
      yield* writeTaskRows(tx, next, unit, start.snapshot, when)
      const created = yield* query(
        "change.machine",
        (db) =>
          db
            .selectFrom("machines")
            .selectAll()
            .where("id", "=", id as string)
            .executeTakeFirstOrThrow(),
        tx,
      )
      rows.set(unit, created as MachineRow)
    }
    // Timers of the open phase: moved deadlines and reminders, tasks a unit left.
    for (const { unit, task } of plan.retimed) {
      const row = rows.get(unit)
      if (row === undefined) continue
      const timers = taskTimers(next, unit, task, at)
      yield* query("change.cancelReminders", (db) => cancelTimersLike(db, row.id, [`remind:${task}:`], when), tx)
      yield* query("change.retime", (db) => rescheduleTimers(db, campaignId, row.id, timers), tx)
    }
    for (const { unit, task } of plan.dropped) {
      const row = rows.get(unit) ?? a.machines.find((m) => m.unit_key === unit)
      if (row === undefined) continue
      yield* query(
        "change.dropTimers",
        (db) => cancelTimersLike(db, row.id, [`remind:${task}:`, `deadline:${task}`], when),
        tx,
      )
    }
    // The campaign's own timers: a phase's opening or closing moved.
    const campaignRow = a.machines.find((m) => m.kind === "campaign") as MachineRow
    for (const { phase, opens, closes } of plan.phaseTimes) {
      const p = next.phases.find((x) => x.key === phase)
      if (p === undefined) continue
      const timers = [
        ...(opens
          ? [{ key: `open:${phase}`, due_at: p.opensAt, event: { type: "phase.due", phase, at: p.opensAt } }]
          : []),
        ...(closes
          ? [{ key: `close:${phase}`, due_at: p.closesAt, event: { type: "phase.deadline", phase, at: p.closesAt } }]
          : []),
      ]
      yield* query("change.retimePhase", (db) => rescheduleTimers(db, campaignId, campaignRow.id, timers), tx)
    }
    // The change itself, on the campaign's machine: its snapshot migrated first, as a replay does.
    const cause = { actor, cause: "change" }
    yield* applyToMachine(
      tx,
      after,
      { ...campaignRow, machine_hash: hash, snapshot: migrateCampaignSnapshot(next, campaignRow.snapshot) },
      { type: "campaign.changed", version, hash, from: loaded.hash, reason, by: actor.id, at },
      cause,
    )
    // Units entering the open phase open it now.
    for (const unit of plan.opening) {
      const row = rows.get(unit)
      const phase = next.phases.find(
        (p) => p.participants.includes(unit) && unitTasks(p, unit).length > 0 && loadedOpen(a, p.key),
      )
      if (row === undefined || phase === undefined) continue
      yield* applyToMachine(tx, after, row, { type: "phase.open", phase: phase.key, at }, cause)
    }
    return yield* journalPosition(tx, campaignId)
  })

/** A unit's task rows as its view under `definition` shows them, replacing those it had. */
const writeTaskRows = (tx: Tx, definition: Campaign, unit: string, snapshot: unknown, at: Date) =>
  query(
    "change.tasks",
    (db) =>
      replaceTaskRows(
        db,
        definition.key,
        unit,
        unitView(definition, unit, snapshot).tasks.map((t) => taskRow(definition.key, unit, t, at)),
      ),
    tx,
  )

/** True when the phase is the campaign's open one (before the change). */
const loadedOpen = (a: Application, phase: string): boolean => {
  const campaign = a.machines.find((m) => m.kind === "campaign")
  const value = (campaign?.snapshot as { value?: { running?: Record<string, string> } } | undefined)?.value
  return value?.running?.[phase] === "open"
}

/** Loads a campaign the actor may see, refusing (and journaling) what it may not change. */
const loadForChange = (campaign: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const id = yield* decode(Schema.String, campaign)
    const notFound = new NotFound({ what: "campaign", ref: id })
    const loaded = yield* loadCampaign(id).pipe(
      Effect.catchTag("NotFound", () => refuseUnseen(null, actor, "change", id, notFound)),
    )
    // What the caller takes no part in does not exist for it; what it only reads, it may not change.
    if (!canSeeCampaign(actor, loaded.definition)) return yield* refuseUnseen(id, actor, "change", id, notFound)
    if (!manages(actor, loaded.definition))
      return yield* Effect.fail(notCoordinator(actor, id)).pipe(journalDenial(id, actor, "change", id))
    return loaded
  })

/** Plans a new definition over a running campaign: what it changes and what it refuses. Writes nothing. */
export const planCampaignChange = (input: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const next = yield* decodeCampaign(input).pipe(
      Effect.mapError((error) => new InvalidInput({ problems: error.problems })),
    )
    yield* loadForChange(next.key, actor)
    return yield* change(next, "", actor, true)
  })

/** Applies a new definition over a running campaign, with the reason the journal keeps. */
export const changeCampaign = (input: unknown, reason: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const next = yield* decodeCampaign(input).pipe(
      Effect.mapError((error) => new InvalidInput({ problems: error.problems })),
    )
    const why = yield* decodeReason(reason)
    yield* loadForChange(next.key, actor)
    return yield* change(next, why, actor, false).pipe(journalDenial(next.key, actor, "change", next.key))
  })

const decodeReason = (reason: unknown) =>
  Schema.decodeUnknownEffect(Reason)(reason).pipe(
    Effect.mapError(
      () =>
        new InvalidInput({
          problems: [
            {
              path: "reason",
              zh: "须说明变更理由(2 至 500 字)",
              en: "give the reason for the change (2 to 500 characters)",
            },
          ],
        }),
    ),
  )

/** The common changes, made from the current definition without writing code. */
export type CommonChange =
  | {
      readonly kind: "extend"
      readonly task: string
      readonly deadline: string
      readonly units?: ReadonlyArray<string>
    }
  | {
      readonly kind: "add-unit"
      readonly unit: {
        key: string
        name: string
        role: Campaign["units"][number]["role"]
        parent?: string
        level?: Campaign["units"][number]["level"]
      }
      readonly tasks: ReadonlyArray<string>
    }
  | { readonly kind: "withdraw-unit"; readonly unit: string }

/** The definition a common change makes of the current one, or the problems of its input. */
const madeFrom = (loaded: LoadedCampaign, request: CommonChange) =>
  Effect.gen(function* () {
    const current = loaded.definition
    const tasks = current.phases.flatMap((p) => p.tasks)
    const problem = (path: string, zh: string, en: string) =>
      Effect.fail(new InvalidInput({ problems: [{ path, zh, en }] }))
    switch (request.kind) {
      case "extend": {
        const task = tasks.find((t) => t.key === request.task)
        if (task === undefined)
          return yield* problem("task", `没有任务“${request.task}”`, `there is no task "${request.task}"`)
        const deadline = resolveTime(request.deadline, current.timeZone, true)
        if (deadline === undefined)
          return yield* problem(
            "deadline",
            `不是有效的日期时间:${request.deadline}`,
            `not a valid date-time: ${request.deadline}`,
          )
        for (const unit of request.units ?? [])
          if (!task.units.includes(unit))
            return yield* problem(
              "units",
              `单位“${unit}”不承担任务“${task.title.zh}”`,
              `unit "${unit}" is not assigned task "${task.key}"`,
            )
        const phase = current.phases.find((p) => p.key === task.phase)
        if (phase !== undefined && (deadline > phase.closesAt || deadline <= phase.opensAt))
          return yield* problem(
            "deadline",
            `新的截止时间不在阶段“${phase.name.zh}”的时间范围内(须同时推迟阶段结束时间)`,
            `the new deadline is outside the phase "${phase.key}" (move the phase's closing time too)`,
          )
        return extendDeadline(current, {
          task: task.key,
          deadline,
          ...(request.units === undefined || request.units.length === 0 ? {} : { units: request.units }),
        })
      }
      case "add-unit": {
        const unknown = request.tasks.find((key) => !tasks.some((t) => t.key === key))
        if (unknown !== undefined)
          return yield* problem("tasks", `没有任务“${unknown}”`, `there is no task "${unknown}"`)
        if (request.tasks.length === 0) return yield* problem("tasks", "至少承担一项任务", "name at least one task")
        if (request.unit.parent !== undefined && unitOf(current, request.unit.parent) === undefined)
          return yield* problem(
            "unit.parent",
            `没有上级单位“${request.unit.parent}”`,
            `there is no parent unit "${request.unit.parent}"`,
          )
        const listed = unitOf(current, request.unit.key)
        return addUnit(current, {
          unit: listed ?? {
            key: request.unit.key,
            name: request.unit.name,
            nameEn: null,
            role: request.unit.role,
            parent: request.unit.parent ?? null,
            level:
              request.unit.level ??
              (request.unit.parent === undefined ? undefined : unitOf(current, request.unit.parent))?.level ??
              null,
          },
          tasks: request.tasks,
        })
      }
      case "withdraw-unit": {
        if (unitOf(current, request.unit) === undefined)
          return yield* problem("unit", `没有单位“${request.unit}”`, `there is no unit "${request.unit}"`)
        const state = yield* query("change.campaignMachine", (db) =>
          db
            .selectFrom("machines")
            .select("snapshot")
            .where("campaign_id", "=", current.key)
            .where(sql<SqlBool>`kind = 'campaign'`)
            .executeTakeFirst(),
        )
        const value = (state?.snapshot as { value?: { running?: Record<string, string> } } | undefined)?.value
        const runningIndex = current.phases.findIndex((p) => value?.running?.[p.key] !== undefined)
        // It leaves the phases not yet closed: the one running (unless closed) and those after it.
        const phases = current.phases
          .filter((p, i) => i > runningIndex || (i === runningIndex && value?.running?.[p.key] !== "closed"))
          .map((p) => p.key)
        return withdrawUnit(current, { unit: request.unit, phases })
      }
    }
  })

/** Applies (or, with `dryRun`, plans) one of the common changes with its reason. */
export const commonChange = (campaign: unknown, request: CommonChange, reason: unknown, actor: Actor, dryRun = false) =>
  Effect.gen(function* () {
    const loaded = yield* loadForChange(campaign, actor)
    const why = dryRun ? "" : yield* decodeReason(reason)
    const next = yield* madeFrom(loaded, request)
    return yield* change(next, why, actor, dryRun).pipe(journalDenial(loaded.row.id, actor, "change", loaded.row.id))
  })

/** A change as the API takes it: a whole new definition, or one of the common changes. */
export type ChangeRequest = { readonly kind: "definition"; readonly definition: unknown } | CommonChange

/** Plans (`dryRun`) or applies a change to the campaign `campaign`. */
export const requestChange = (
  campaign: string,
  request: ChangeRequest,
  reason: unknown,
  actor: Actor,
  dryRun: boolean,
) => {
  if (request.kind !== "definition") return commonChange(campaign, request, reason, actor, dryRun)
  const key = (request.definition as { key?: unknown } | null)?.key
  if (key !== campaign)
    return Effect.fail(
      new InvalidInput({
        problems: [
          {
            path: "change.definition.key",
            zh: `定义的活动标识须为“${campaign}”`,
            en: `the definition's key must be "${campaign}"`,
          },
        ],
      }),
    )
  return dryRun ? planCampaignChange(request.definition, actor) : changeCampaign(request.definition, reason, actor)
}
