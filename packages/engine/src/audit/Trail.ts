/**
 * Who did what, when: the journal as a timeline an auditor can filter, and a
 * per-unit accountability table (assigned, acknowledged, reported, how late,
 * how often returned, approved by whom).
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { readableUnits } from "../Authz.ts"
import { query } from "../Db.ts"
import { InvalidInput } from "../Errors.ts"
import { visibleCampaign } from "../reads/Scope.ts"
import { selectPrincipalNames } from "../sql/Directory.ts"
import { selectReportHistory } from "../sql/Evidence.ts"
import { selectJournalPage } from "../sql/ReadRecord.ts"
import { selectCampaignTasks } from "../sql/ReadTasks.ts"

/** Filters for a trail. */
export interface TrailFilter {
  readonly unit?: string | undefined
  readonly actor?: string | undefined
  readonly task?: string | undefined
  readonly since?: Date | undefined
  readonly until?: Date | undefined
  /** only rows after this one (for pages) */
  readonly afterSeq?: number | undefined
  /** at most this many rows */
  readonly limit?: number | undefined
}

/** What a row's event carried besides its task, in parts a reader can put into words in any language. */
export interface TrailNote {
  /** the phase an event names */
  readonly phase: string | null
  /** the report submitted, approved or returned */
  readonly report: string | null
  /** a person's own words: why a report was returned */
  readonly reason: string | null
  /** the approver's comment (审批意见), absent on rows without one */
  readonly comment?: string | null
  /** the unit an event of the campaign's machine concerns (a unit that finished a phase) */
  readonly subjectUnit: string | null
  /** the definition version deployed */
  readonly version: number | null
  /** the summary written */
  readonly summary: string | null
  /** a nudge (催办): the units it reached, its selector (null: the units were named) and its message */
  readonly nudge?: {
    readonly units: ReadonlyArray<string>
    readonly which: "unacknowledged" | "unreported" | "returned" | null
    readonly task: string | null
    readonly message: string | null
  } | null
  /** a refused attempt: the action, what it named, and why (in Chinese only on rows written with it) */
  readonly refusal: {
    readonly action: string
    readonly ref: string
    readonly zh: string | null
    readonly en: string
    /** the same refusals since this key's last journaled one, counted without a row each */
    readonly repeated?: number
  } | null
}

/** The parts of a journal row's payload a note is made of. */
export const trailNote = (event: string, payload: Record<string, unknown>): TrailNote => {
  const text = (value: unknown) => (typeof value === "string" ? value : null)
  const denied = event === "access.denied"
  const selector = (payload.selector ?? {}) as { which?: unknown; task?: unknown; phase?: unknown }
  const which = selector.which
  return {
    phase: text(payload.phase) ?? (event === "nudge" ? text(selector.phase) : null),
    report: text(payload.report),
    reason: denied ? null : text(payload.reason),
    comment: event === "task.approve" ? text(payload.comment) : null,
    subjectUnit: event === "unit.phase-done" ? text(payload.unit) : null,
    version: typeof payload.version === "number" ? payload.version : null,
    summary: text(payload.summary),
    nudge:
      event === "nudge"
        ? {
            units: Array.isArray(payload.units) ? payload.units.filter((u): u is string => typeof u === "string") : [],
            which: which === "unacknowledged" || which === "unreported" || which === "returned" ? which : null,
            task: text(selector.task),
            message: text(payload.message),
          }
        : null,
    refusal: denied
      ? {
          action: text(payload.action) ?? "",
          ref: text(payload.ref) ?? "",
          zh: text(payload.reasonZh),
          en: text(payload.reason) ?? "",
          ...(typeof payload.repeated === "number" ? { repeated: payload.repeated } : {}),
        }
      : null,
  }
}

/** A nudge in one line: the units it reached and its message. */
const nudgeDetail = (payload: { units?: unknown; message?: unknown }) =>
  `nudged ${Array.isArray(payload.units) ? payload.units.join(", ") : ""}${typeof payload.message === "string" ? `: ${payload.message}` : ""}`

/** One entry of the timeline. */
export interface TrailEntry {
  readonly seq: number
  readonly at: string
  readonly recordedAt: string
  readonly actor: string
  /** the person's name from the directory; null for the worker, the command line or an unknown id */
  readonly actorName: string | null
  readonly role: string
  readonly actorUnit: string | null
  readonly unit: string | null
  readonly task: string | null
  readonly event: string
  readonly cause: string
  readonly idempotencyKey: string | null
  readonly before: string
  readonly after: string
  readonly detail: string | null
  readonly note: TrailNote
}

/** The campaign's journal as a timeline, limited to what the actor may read. */
export const trail = (campaignId: string, actor: Actor, filter: TrailFilter = {}) =>
  Effect.gen(function* () {
    // A time that names no instant (2026-13-45T99:99Z read by `new Date`) is the caller's mistake.
    const impossible = (["since", "until"] as const).filter((name) => Number.isNaN(filter[name]?.getTime() ?? 0))
    if (impossible.length > 0)
      return yield* new InvalidInput({
        problems: impossible.map((path) => ({
          path,
          zh: "不是真实存在的日期或时间",
          en: "not a real date or time",
        })),
      })
    const loaded = yield* visibleCampaign(campaignId, actor)
    const readable = readableUnits(actor, loaded.definition)
    // What the actor may not read is left out in SQL, so a limit counts only readable rows.
    const rows = yield* query("audit.trail", (db) =>
      selectJournalPage(db, campaignId, { ...filter, units: readable === "all" ? undefined : [...readable] }),
    )
    const actors = [...new Set(rows.map((row) => row.actor))]
    const names = new Map(
      (yield* query("audit.names", (db) => selectPrincipalNames(db, actors))).map((p) => [p.id, p.name]),
    )
    return rows.map((row): TrailEntry => {
      const payload = row.payload as { task?: string; reason?: string; report?: string; action?: string }
      return {
        seq: row.seq,
        at: new Date(row.occurred_at).toISOString(),
        recordedAt: new Date(row.recorded_at).toISOString(),
        actor: row.actor,
        actorName: names.get(row.actor) ?? null,
        role: row.role,
        actorUnit: row.actor_unit,
        unit: row.unit_key,
        task: payload.task ?? null,
        event: row.event,
        cause: row.cause,
        idempotencyKey: row.idempotency_key,
        before: String(row.state_before ?? ""),
        after: String(row.state_after ?? ""),
        detail:
          row.event === "nudge"
            ? nudgeDetail(row.payload as { units?: unknown; message?: unknown })
            : row.event === "access.denied" && typeof (row.payload as { repeated?: unknown }).repeated === "number"
              ? `${payload.reason ?? payload.action} (+${(row.payload as { repeated: number }).repeated} repeated)`
              : row.event === "task.approve" && typeof (row.payload as { comment?: unknown }).comment === "string"
                ? `report ${payload.report}; 审批意见 comment: ${(row.payload as { comment: string }).comment}`
                : (payload.reason ?? payload.action ?? (payload.report ? `report ${payload.report}` : null)),
        note: trailNote(row.event, row.payload as Record<string, unknown>),
      }
    })
  })

/** One row of the accountability table: a unit's task from assignment to approval. */
export interface Accountability {
  readonly unit: string
  readonly unitName: string
  readonly task: string
  readonly taskTitle: string
  readonly deadline: string
  readonly status: string
  readonly acknowledgedAt: string | null
  readonly reportedAt: string | null
  /** minutes after the deadline the first report came, or null when on time / not reported */
  readonly lateMinutes: number | null
  readonly returns: number
  readonly reminded: number
  readonly approvedBy: string | null
  readonly approvedAt: string | null
}

/** The accountability table of a campaign, limited to what the actor may read. */
export const accountability = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const readable = readableUnits(actor, loaded.definition)
    const [tasks, reports] = yield* Effect.all([
      query("audit.tasks", (db) => selectCampaignTasks(db, campaignId)),
      query("audit.reports", (db) => selectReportHistory(db, campaignId)),
    ])
    const units = new Map(loaded.definition.units.map((u, i) => [u.key, { name: u.name, order: i }]))
    const titles = new Map(
      loaded.definition.phases.flatMap((p) => p.tasks.map((t, i) => [t.key, { title: t.title.zh, order: i }] as const)),
    )
    return tasks
      .filter((t) => readable === "all" || readable.has(t.unit_key))
      .sort(
        (a, b) =>
          (units.get(a.unit_key)?.order ?? 0) - (units.get(b.unit_key)?.order ?? 0) ||
          new Date(a.deadline).getTime() - new Date(b.deadline).getTime() ||
          (titles.get(a.task_key)?.order ?? 0) - (titles.get(b.task_key)?.order ?? 0),
      )
      .map((t): Accountability => {
        const mine = reports.filter((r) => r.unit_key === t.unit_key && r.task_key === t.task_key)
        const first = mine[0]
        const approved = mine.find((r) => r.status === "approved")
        const late = first
          ? Math.round((new Date(first.submitted_at).getTime() - new Date(t.deadline).getTime()) / 60_000)
          : null
        return {
          unit: t.unit_key,
          unitName: units.get(t.unit_key)?.name ?? t.unit_key,
          task: t.task_key,
          taskTitle: titles.get(t.task_key)?.title ?? t.task_key,
          deadline: new Date(t.deadline).toISOString(),
          status: t.status,
          acknowledgedAt: t.acknowledged_at ? new Date(t.acknowledged_at).toISOString() : null,
          reportedAt: first ? new Date(first.submitted_at).toISOString() : null,
          lateMinutes: late !== null && late > 0 ? late : null,
          returns: t.returns,
          reminded: t.reminded,
          approvedBy: approved?.reviewed_by ?? null,
          approvedAt: approved?.reviewed_at ? new Date(approved.reviewed_at).toISOString() : null,
        }
      })
  })
