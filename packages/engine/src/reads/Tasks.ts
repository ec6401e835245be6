/**
 * Tasks as the API reads them: each unit task with what its report must
 * hold (figures with measure words and bounds, narrative fields), filtered in
 * SQL to the units the actor may read, in keyset pages.
 */
import type { TaskRow } from "@liandong/store"
import { type Campaign, unitOf } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { canRead } from "../Authz.ts"
import { query } from "../Db.ts"
import { NotFound } from "../Errors.ts"
import { selectTask, selectTaskPage } from "../sql/ReadTasks.ts"
import { decodeCursor, limitOf, type PageRequest, pageOf } from "./Page.ts"
import { readableByCampaign, scopeOf, visibleCampaign } from "./Scope.ts"

/** Filters of a task listing. */
export interface TaskFilter {
  readonly campaign?: string | undefined
  readonly unit?: string | undefined
  readonly phase?: string | undefined
  readonly status?: TaskRow["status"] | undefined
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())
const label = (l: { zh: string; en?: string | undefined | null }) => ({ zh: l.zh, en: l.en ?? null })

/** A task row with its definition: what the API shows of one unit task. */
export const taskItem = (definition: Campaign, row: TaskRow) => {
  const phase = definition.phases.find((p) => p.key === row.phase_key)
  const task = phase?.tasks.find((t) => t.key === row.task_key)
  const unit = unitOf(definition, row.unit_key)
  return {
    ref: `${row.campaign_id}/${row.unit_key}/${row.task_key}`,
    campaign: row.campaign_id,
    campaignTitle: definition.title,
    campaignTitleEn: definition.titleEn ?? null,
    unit: row.unit_key,
    unitName: unit?.name ?? row.unit_key,
    task: row.task_key,
    title: label(task?.title ?? { zh: row.task_key }),
    description: task?.description ?? null,
    phase: row.phase_key,
    phaseName: label(phase?.name ?? { zh: row.phase_key }),
    status: row.status,
    deadline: new Date(row.deadline).toISOString(),
    overdue: row.overdue,
    reminded: row.reminded,
    returns: row.returns,
    report: row.report_id,
    acknowledgedAt: iso(row.acknowledged_at),
    submittedAt: iso(row.submitted_at),
    approvedAt: iso(row.approved_at),
    figures: (task?.figures ?? []).map((f) => ({
      key: f.key,
      label: label(f.label),
      measure: f.measure,
      kind: f.kind,
      min: f.min,
      max: f.max,
      scale: f.scale,
      required: f.required,
    })),
    narrative: (task?.narrative ?? []).map((n) => ({
      key: n.key,
      label: label(n.label),
      required: n.required,
      maxLength: n.maxLength,
    })),
    rules: task?.rules ?? [],
  }
}

/** A page of the tasks the actor may read, by campaign, deadline, unit and task. */
export const pageTasks = (actor: Actor, filter: TaskFilter, page: PageRequest) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const after = yield* decodeCursor(page.cursor, 4)
    const scopes = yield* readableByCampaign(actor, filter.campaign)
    if (scopes.size === 0) return { items: [], nextCursor: null }
    const rows = yield* query("tasks.page", (db) =>
      selectTaskPage(
        db,
        scopeOf(scopes),
        filter,
        after === undefined ? undefined : (after.map(String) as [string, string, string, string]),
        limit + 1,
      ),
    )
    return pageOf(
      rows,
      limit,
      (row) => [row.campaign_id, new Date(row.deadline).toISOString(), row.unit_key, row.task_key],
      (row) => taskItem(scopes.get(row.campaign_id)?.definition as Campaign, row),
    )
  })

/** One unit task the actor may read; another unit's answers as not found. */
export const taskDetail = (campaignId: string, unit: string, task: string, actor: Actor) =>
  Effect.gen(function* () {
    const ref = `${campaignId}/${unit}/${task}`
    const loaded = yield* visibleCampaign(campaignId, actor).pipe(
      Effect.catchTag("NotFound", () => Effect.fail(new NotFound({ what: "task", ref }))),
    )
    if (!canRead(actor, loaded.definition, unit)) return yield* new NotFound({ what: "task", ref })
    const row = yield* query("tasks.one", (db) => selectTask(db, campaignId, unit, task))
    if (row === undefined) return yield* new NotFound({ what: "task", ref })
    return taskItem(loaded.definition, row)
  })
