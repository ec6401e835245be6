/**
 * Campaigns: deploy a definition, start, close a phase, read one, the units ×
 * phases status matrix, the totals so far, the workbook (.xlsx), and a machine as a graph.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import {
  CampaignStatus,
  IdempotencyHeaders,
  isStorableText,
  Key,
  Label,
  Page,
  PageQuery,
  UnitLevel,
} from "../Common.ts"
import { readProblems, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"

/** The workbook's media type. */
export const workbookMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/** A campaign in a listing. */
export const CampaignItem = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  titleEn: Schema.NullOr(Schema.String),
  status: CampaignStatus,
  phase: Schema.NullOr(Schema.String),
  version: Schema.Int,
  units: Schema.Int,
  startedAt: Schema.NullOr(Schema.String),
  closedAt: Schema.NullOr(Schema.String),
})

/** A participating unit as the campaign defines it. */
export const CampaignUnit = Schema.Struct({
  key: Schema.String,
  name: Schema.String,
  nameEn: Schema.NullOr(Schema.String),
  role: Schema.Literals(["host", "implementer", "co-organiser", "member", "subordinate"]),
  parent: Schema.NullOr(Schema.String),
  level: Schema.NullOr(UnitLevel),
})

/** A phase of the campaign, with its window and gate. */
export const CampaignPhase = Schema.Struct({
  key: Schema.String,
  name: Label,
  opensAt: Schema.String,
  closesAt: Schema.String,
  gate: Schema.Struct({ kind: Schema.Literals(["all", "date", "quorum"]), ratio: Schema.NullOr(Schema.Number) }),
  tasks: Schema.Array(Schema.Struct({ key: Schema.String, title: Label, deadline: Schema.String })),
})

/** One campaign: its definition's outline, limited to the units the caller may read. */
export const CampaignDetail = Schema.Struct({
  ...CampaignItem.fields,
  theme: Schema.NullOr(Schema.String),
  coordinator: Schema.String,
  timeZone: Schema.String,
  hash: Schema.String,
  journalSeq: Schema.Int,
  phases: Schema.Array(CampaignPhase),
  units: Schema.Array(CampaignUnit),
})

/** What a deployment answers. */
export const Deployed = Schema.Struct({
  campaign: Schema.String,
  version: Schema.Int,
  hash: Schema.String,
  units: Schema.Int,
  unchanged: Schema.Boolean,
  /** what deploys but is probably a mistake: two units of one name, a unit with no task */
  warnings: Schema.Array(Schema.Struct({ path: Schema.String, zh: Schema.String, en: Schema.String })),
})

/** A change to a running campaign: a whole new definition, or one of the common changes. */
export const ChangeRequest = Schema.Struct({
  change: Schema.Union([
    Schema.Struct({
      kind: Schema.Literal("definition"),
      definition: Schema.Record(Schema.String, Schema.Unknown).annotate({
        description: "the campaign's new definition, as for deploy; its key must be the campaign's",
      }),
    }),
    Schema.Struct({
      kind: Schema.Literal("extend"),
      task: Key,
      /** 2026-04-18 (the whole day), 2026-04-18T18:00 (campaign time) or an ISO instant */
      deadline: Schema.String.check(
        Schema.isPattern(/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/, {
          message: "须为日期或日期时间,如 2026-04-18 或 2026-04-18T18:00 / must be a date or date-time",
        }),
      ),
      /** the units granted the extension; all of the task's when absent */
      units: Schema.optional(Schema.Array(Key).check(Schema.isMaxLength(1000))),
    }),
    Schema.Struct({
      kind: Schema.Literal("add-unit"),
      unit: Schema.Struct({
        key: Key,
        name: Schema.NonEmptyString.check(Schema.isMaxLength(200)),
        role: Schema.Literals(["host", "implementer", "co-organiser", "member", "subordinate"]),
        parent: Schema.optional(Key),
        level: Schema.optional(Schema.Literals(["national", "province", "city", "county"])),
      }),
      tasks: Schema.Array(Key).check(Schema.isMinLength(1), Schema.isMaxLength(200)),
    }),
    Schema.Struct({ kind: Schema.Literal("withdraw-unit"), unit: Key }),
  ]),
  /** why: required to apply, kept in the journal */
  reason: Schema.optional(Schema.String.check(Schema.isMaxLength(500))),
  /** plan only: what would change and what is refused; nothing is written */
  dryRun: Schema.optional(Schema.Boolean),
}).check(isStorableText())

/** A change's plan and, when applied, the version it made. */
export const Changed = Schema.Struct({
  campaign: Schema.String,
  applied: Schema.Boolean,
  version: Schema.Int,
  hash: Schema.String,
  unchanged: Schema.Boolean,
  plan: Schema.Struct({
    items: Schema.Array(Schema.Record(Schema.String, Schema.Unknown)),
    refusals: Schema.Array(Schema.Struct({ path: Schema.String, zh: Schema.String, en: Schema.String })),
    joining: Schema.Array(Schema.String),
    leaving: Schema.Array(Schema.String),
    opening: Schema.Array(Schema.String),
    retimed: Schema.Array(Schema.Struct({ unit: Schema.String, task: Schema.String })),
    dropped: Schema.Array(Schema.Struct({ unit: Schema.String, task: Schema.String })),
    phaseTimes: Schema.Array(Schema.Struct({ phase: Schema.String, opens: Schema.Boolean, closes: Schema.Boolean })),
  }),
  words: Schema.Array(Schema.Struct({ zh: Schema.String, en: Schema.String })),
  journal: Schema.NullOr(Schema.Int),
  replayed: Schema.Boolean,
})

/** What starting a campaign or closing a phase answers. */
export const CampaignStep = Schema.Struct({
  campaign: Schema.String,
  state: Schema.String,
  journal: Schema.Int,
  replayed: Schema.Boolean,
})

/** How many of a unit's tasks in a phase are in each state (overdue: past the deadline and not approved). */
export const StageCounts = Schema.Struct({
  assigned: Schema.Int,
  acknowledged: Schema.Int,
  submitted: Schema.Int,
  returned: Schema.Int,
  overdue: Schema.Int,
  approved: Schema.Int,
})

/** One unit in one phase of the status matrix. */
export const PhaseCell = Schema.Struct({
  state: Schema.Literals(["waiting", "active", "done", "closed"]),
  approved: Schema.Int,
  total: Schema.Int,
  overdue: Schema.Boolean,
  returned: Schema.Boolean,
  stage: Schema.Literals([
    "overdue",
    "returned",
    "assigned",
    "acknowledged",
    "submitted",
    "done",
    "waiting",
    "closed",
  ]).annotate({ description: "what the cell says: the most urgent state among the unit's tasks in the phase" }),
  counts: StageCounts,
  overdueDays: Schema.NullOr(Schema.Int).annotate({
    description: "whole days since the earliest missed deadline, by the campaign's calendar and time zone (at least 1)",
  }),
  laggard: Schema.Boolean.annotate({
    description: "a task past its deadline and not approved, or not yet reported with its deadline within 24 hours",
  }),
})

/** How many units have a task in a state, and how many tasks are in it. */
const StageTally = Schema.Struct({ units: Schema.Int, tasks: Schema.Int })

/** Per phase, the counts by state over the matrix's rows, and how many of its units lag. */
export const PhaseTally = Schema.Struct({
  assigned: StageTally,
  acknowledged: StageTally,
  submitted: StageTally,
  returned: StageTally,
  overdue: StageTally,
  approved: StageTally,
  laggards: Schema.Int,
})

/** The units × phases matrix; `phases` maps a phase key to the cell, null where the unit has no task. */
export const StatusMatrix = Schema.Struct({
  campaign: Schema.String,
  title: Schema.String,
  status: CampaignStatus,
  phase: Schema.NullOr(Schema.String),
  journalSeq: Schema.Int,
  phases: Schema.Array(Schema.Struct({ key: Schema.String, name: Label })),
  rows: Schema.Array(
    Schema.Struct({
      unit: Schema.String,
      name: Schema.String,
      parent: Schema.NullOr(Schema.String),
      level: Schema.NullOr(UnitLevel),
      phases: Schema.Record(Schema.String, Schema.NullOr(PhaseCell)),
      laggard: Schema.Boolean,
    }),
  ),
  tallies: Schema.Record(Schema.String, PhaseTally).annotate({ description: "per phase key, the counts by state" }),
  now: Schema.String.annotate({ description: "the campaign clock's time the counts were taken at" }),
  timeZone: Schema.String,
})

/** The total of one figure over the approved reports the caller may read, with each contribution. */
export const FigureTotal = Schema.Struct({
  task: Schema.String,
  figure: Schema.String,
  label: Label,
  measure: Schema.String,
  kind: Schema.Literals(["integer", "decimal"]),
  aggregate: Schema.Literals(["sum", "max", "min"]),
  total: Schema.String,
  contributions: Schema.Array(
    Schema.Struct({
      unit: Schema.String,
      report: Schema.String,
      value: Schema.String,
      journal: Schema.NullOr(Schema.Int),
    }),
  ),
})

/** Totals so far (approved reports only; exact decimals as text). */
export const Totals = Schema.Struct({
  campaign: Schema.String,
  journalSeq: Schema.Int,
  figures: Schema.Array(FigureTotal),
})

/** A state node of a machine. `id` is its dotted path from the root. */
export const MachineNode = Schema.Struct({
  id: Schema.String,
  key: Schema.String,
  parent: Schema.NullOr(Schema.String),
  type: Schema.Literals(["atomic", "compound", "parallel", "final", "history"]),
  initial: Schema.NullOr(Schema.String),
})

/** A transition: on `event`, from `source` to `targets` (none: stays, running actions). */
export const MachineEdge = Schema.Struct({
  source: Schema.String,
  event: Schema.String,
  targets: Schema.Array(Schema.String),
})

/** A machine as a graph for drawing, with the states it is in now. */
export const MachineGraph = Schema.Struct({
  campaign: Schema.String,
  unit: Schema.NullOr(Schema.String),
  version: Schema.Int,
  status: Schema.String,
  phase: Schema.NullOr(Schema.String),
  updatedAt: Schema.String,
  nodes: Schema.Array(MachineNode),
  edges: Schema.Array(MachineEdge),
  active: Schema.Array(Schema.String),
})

const campaign = { campaign: Key }

/** The campaigns group. */
export class CampaignsGroup extends HttpApiGroup.make("campaigns")
  .add(
    HttpApiEndpoint.get("list", "/campaigns", {
      query: { ...PageQuery, status: Schema.optional(CampaignStatus) },
      success: Page(CampaignItem),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("deploy", "/campaigns", {
      headers: IdempotencyHeaders,
      payload: Schema.Record(Schema.String, Schema.Unknown).check(isStorableText()).annotate({
        description: "a campaign definition as JSON (docs/definition-language.md)",
      }),
      success: Deployed,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("get", "/campaigns/:campaign", {
      params: campaign,
      success: CampaignDetail,
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("start", "/campaigns/:campaign/start", {
      params: campaign,
      headers: IdempotencyHeaders,
      success: CampaignStep,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("closePhase", "/campaigns/:campaign/phases/:phase/close", {
      params: { campaign: Key, phase: Key },
      headers: IdempotencyHeaders,
      success: CampaignStep,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("change", "/campaigns/:campaign/changes", {
      params: campaign,
      headers: IdempotencyHeaders,
      payload: ChangeRequest,
      success: Changed,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("status", "/campaigns/:campaign/status", {
      params: campaign,
      success: StatusMatrix,
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("totals", "/campaigns/:campaign/totals", {
      params: campaign,
      success: Totals,
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("workbook", "/campaigns/:campaign/workbook", {
      params: campaign,
      success: Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: workbookMediaType })),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("campaignMachine", "/campaigns/:campaign/machine", {
      params: campaign,
      success: MachineGraph,
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("unitMachine", "/campaigns/:campaign/units/:unit/machine", {
      params: { campaign: Key, unit: Key },
      success: MachineGraph,
      error: readProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(OpenApi.annotations({ title: "campaigns", description: "活动 / campaigns" })) {}
