/**
 * Reports as the API reads them: filtered in SQL to the units the actor may
 * read, in keyset pages by number; one report with every attempt at its task
 * and the task's journal entries.
 */
import type { ReportRow } from "@liandong/store"
import type { UnitLevel } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { canRead } from "../Authz.ts"
import { trail } from "../audit/Trail.ts"
import { query } from "../Db.ts"
import { loadCampaign } from "../Definitions.ts"
import { NotFound } from "../Errors.ts"
import { selectContent, selectReportAttachments } from "../sql/Attachments.ts"
import { selectPrincipalNames } from "../sql/Directory.ts"
import {
  type ReportAfter,
  type ReportSort,
  selectAttempts,
  selectFigures,
  selectReport,
  selectReportPage,
} from "../sql/ReadReports.ts"
import { badCursor, decodeCursor, limitOf, type PageRequest, pageOf } from "./Page.ts"
import { readableByCampaign, scopeOf } from "./Scope.ts"

/** Filters of a report listing. */
export interface ReportFilter {
  readonly campaign?: string | undefined
  readonly unit?: string | undefined
  readonly task?: string | undefined
  readonly status?: ReportRow["status"] | undefined
  readonly phase?: string | undefined
  readonly level?: UnitLevel | undefined
  /** reported after the task's deadline */
  readonly late?: boolean | undefined
  /** words in a unit's name or the narrative */
  readonly q?: string | undefined
  readonly sort?: ReportSort | undefined
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

const figuresOf = (ids: ReadonlyArray<string>) => query("reports.figures", (db) => selectFigures(db, ids))

const attachmentsOf = (ids: ReadonlyArray<string>) =>
  query("reports.attachments", (db) =>
    selectReportAttachments(
      db,
      ids.map((id) => String(id)),
    ),
  )

/** The directory's names of these principals, by id. */
export const principalNames = (ids: Iterable<string | null>) =>
  Effect.map(
    query("principals.names", (db) =>
      selectPrincipalNames(db, [...new Set([...ids].filter((id): id is string => id !== null))]),
    ),
    (rows) => new Map(rows.map((row) => [row.id, row.name])),
  )

const itemsOf = (rows: ReadonlyArray<ReportRow>) =>
  Effect.map(
    Effect.all([
      figuresOf(rows.map((r) => r.id)),
      attachmentsOf(rows.map((r) => r.id)),
      principalNames(rows.flatMap((r) => [r.submitted_by, r.reviewed_by])),
    ]),
    ([figures, files, names]) =>
      rows.map((row) => ({
        id: String(row.id),
        ref: `${row.campaign_id}/${row.unit_key}/${row.task_key}`,
        campaign: row.campaign_id,
        unit: row.unit_key,
        task: row.task_key,
        attempt: row.attempt,
        status: row.status,
        figures: Object.fromEntries(
          figures.filter((f) => String(f.report_id) === String(row.id)).map((f) => [f.figure_key, String(f.value)]),
        ),
        narrative: (row.narrative ?? {}) as Record<string, string>,
        submittedBy: row.submitted_by,
        submittedByName: names.get(row.submitted_by) ?? null,
        submittedAt: new Date(row.submitted_at).toISOString(),
        reviewedBy: row.reviewed_by,
        reviewedByName: row.reviewed_by === null ? null : (names.get(row.reviewed_by) ?? null),
        reviewedAt: iso(row.reviewed_at),
        returnReason: row.return_reason,
        reviewComment: row.review_comment ?? null,
        attachments: files
          .filter((f) => String(f.report_id) === String(row.id))
          .map((f) => ({ id: String(f.id), name: f.name, type: f.type, size: Number(f.size), sha256: f.sha256 })),
      })),
  )

/** A page of the reports the actor may read, filtered and in the order asked for (then by number). */
export const pageReports = (actor: Actor, filter: ReportFilter, page: PageRequest) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const sort = filter.sort ?? "submitted"
    const after = yield* decodeCursor(page.cursor, sort === "submitted" ? 1 : 2)
    if (after !== undefined && !/^\d{1,18}$/.test(String(after[after.length - 1]))) {
      return yield* badCursor()
    }
    const scopes = yield* readableByCampaign(actor, filter.campaign)
    if (scopes.size === 0) return { items: [], nextCursor: null }
    // A level and a unit's name are in the definitions: they become unit keys for the SQL.
    const units = [...scopes.values()].flatMap(({ definition }) => definition.units)
    const q = filter.q?.trim().toLowerCase()
    const rows = yield* query("reports.page", (db) =>
      selectReportPage(
        db,
        scopeOf(scopes),
        {
          unit: filter.unit,
          task: filter.task,
          status: filter.status,
          phase: filter.phase,
          late: filter.late,
          sort,
          units:
            filter.level === undefined ? undefined : units.filter((u) => u.level === filter.level).map((u) => u.key),
          search:
            q === undefined || q === ""
              ? undefined
              : {
                  text: q,
                  units: units
                    .filter((u) => u.name.toLowerCase().includes(q) || (u.nameEn ?? "").toLowerCase().includes(q))
                    .map((u) => u.key),
                },
        },
        after === undefined ? undefined : (after.map(String) as unknown as ReportAfter),
        limit + 1,
      ),
    )
    const items = yield* itemsOf(rows.slice(0, limit))
    const paged = pageOf(
      rows,
      limit,
      (row) =>
        sort === "submitted"
          ? [String(row.id)]
          : [sort === "unit" ? row.unit_key : (iso(row.task_deadline) ?? ""), String(row.id)],
      (row) => row,
    )
    return { items, nextCursor: paged.nextCursor }
  })

/** One report the actor may read, with every attempt at its task and the task's journal entries. */
export const reportDetail = (reportId: string, actor: Actor) =>
  Effect.gen(function* () {
    const row = yield* query("reports.one", (db) => selectReport(db, reportId))
    if (row === undefined) return yield* new NotFound({ what: "report", ref: reportId })
    const loaded = yield* loadCampaign(row.campaign_id)
    if (!canRead(actor, loaded.definition, row.unit_key)) return yield* new NotFound({ what: "report", ref: reportId })
    const attempts = yield* query("reports.attempts", (db) =>
      selectAttempts(db, row.campaign_id, row.unit_key, row.task_key),
    )
    const items = yield* itemsOf(attempts)
    const history = yield* trail(row.campaign_id, actor, { unit: row.unit_key, task: row.task_key })
    const self = items.find((item) => item.id === String(row.id)) as (typeof items)[number]
    return { ...self, attempts: items, history }
  })

/**
 * One file of a report the actor may read (the reviewer, auditors, the unit and those above
 * it): its name, type and bytes. Anything else is "not found", whether it exists or not.
 */
export const reportAttachment = (reportId: string, attachmentId: string, actor: Actor) =>
  Effect.gen(function* () {
    const notFound = new NotFound({ what: "attachment", ref: `${reportId}/${attachmentId}` })
    const row = yield* query("reports.one", (db) => selectReport(db, reportId))
    if (row === undefined) return yield* notFound
    const loaded = yield* loadCampaign(row.campaign_id)
    if (!canRead(actor, loaded.definition, row.unit_key)) return yield* notFound
    const files = yield* attachmentsOf([String(row.id)])
    const file = files.find((f) => String(f.id) === attachmentId)
    if (file === undefined) return yield* notFound
    const bytes = yield* query("attachments.content", (db) => selectContent(db, file.sha256))
    if (bytes === undefined) return yield* notFound
    return { name: file.name, type: file.type, size: Number(file.size), sha256: file.sha256, bytes }
  })
