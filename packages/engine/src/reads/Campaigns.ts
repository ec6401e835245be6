/**
 * Campaigns as the API reads them: a page of the visible ones, one in
 * outline (limited to the units the actor may read), the status matrix with
 * the hierarchy, and the journal's length for live updates.
 */
import type { CampaignRow } from "@liandong/store"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { readableUnits } from "../Authz.ts"
import { wallNow } from "../Clock.ts"
import { query } from "../Db.ts"
import {
  type CampaignViewer,
  selectCampaignHeads,
  selectCampaignMachineState,
  selectCampaignPage,
  selectDefinitionVersion,
  selectLiveHeads,
} from "../sql/ReadCampaigns.ts"
import { decodeCursor, limitOf, type PageRequest, pageOf } from "./Page.ts"
import { visibleCampaign } from "./Scope.ts"
import { statusTable } from "./Status.ts"

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

/** Whose campaigns the actor may see, as the listing's SQL asks it; null: none. */
const viewerOf = (actor: Actor): CampaignViewer | null => {
  if (actor.kind !== "principal" || actor.role === "auditor") return { kind: "all" }
  if (actor.unit === null) return null
  return actor.role === "coordinator" ? { kind: "coordinator", unit: actor.unit } : { kind: "member", unit: actor.unit }
}

/** A page of the campaigns the actor may see, by id, optionally of one status. */
export const pageCampaigns = (actor: Actor, filter: { status?: string | undefined }, page: PageRequest) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const after = yield* decodeCursor(page.cursor, 1)
    const viewer = viewerOf(actor)
    if (viewer === null) return { items: [], nextCursor: null }
    const rows = yield* query("campaigns.page", (db) =>
      selectCampaignPage(db, viewer, filter.status, after === undefined ? undefined : String(after[0]), limit + 1),
    )
    return pageOf(
      rows,
      limit,
      (row) => [row.id],
      (row) => ({
        id: row.id,
        title: row.title,
        titleEn: row.title_en,
        status: row.status,
        phase: row.phase,
        version: row.version,
        units: row.units,
        startedAt: iso(row.started_at),
        closedAt: iso(row.closed_at),
      }),
    )
  })

/** One campaign in outline: phases with their tasks, and the units the actor may read. */
export const campaignDetail = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const { definition, row } = loaded
    const readable = readableUnits(actor, definition)
    const [machine, version] = yield* Effect.all([
      query("campaign.phase", (db) => selectCampaignMachineState(db, campaignId)),
      query("campaign.version", (db) => selectDefinitionVersion(db, row.definition_id)),
    ])
    return {
      id: row.id,
      title: definition.title,
      titleEn: definition.titleEn,
      theme: definition.theme,
      status: row.status,
      phase: machine?.phase ?? null,
      version,
      startedAt: iso(row.started_at),
      closedAt: iso(row.closed_at),
      coordinator: definition.coordinator,
      timeZone: definition.timeZone,
      hash: loaded.hash,
      journalSeq: row.journal_seq,
      phases: definition.phases.map((phase) => ({
        key: phase.key,
        name: { zh: phase.name.zh, en: phase.name.en ?? null },
        opensAt: phase.opensAt,
        closesAt: phase.closesAt,
        gate: { kind: phase.gate.kind, ratio: phase.gate.kind === "quorum" ? phase.gate.ratio : null },
        tasks: phase.tasks.map((task) => ({
          key: task.key,
          title: { zh: task.title.zh, en: task.title.en ?? null },
          deadline: task.deadline,
        })),
      })),
      units: definition.units
        .filter((unit) => readable === "all" || readable.has(unit.key))
        .map((unit) => ({
          key: unit.key,
          name: unit.name,
          nameEn: unit.nameEn,
          role: unit.role,
          parent: unit.parent,
          level: unit.level,
        })),
    }
  })

/** The units × phases matrix with each row's place in the hierarchy and the journal's length. */
export const statusMatrix = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const table = yield* statusTable(campaignId, actor)
    const units = new Map(loaded.definition.units.map((unit) => [unit.key, unit]))
    return {
      campaign: table.campaign,
      title: table.title,
      status: table.status as CampaignRow["status"],
      phase: table.phase,
      journalSeq: loaded.row.journal_seq,
      phases: table.phases.map((phase) => ({ key: phase.key, name: { zh: phase.name.zh, en: phase.name.en ?? null } })),
      rows: table.rows.map((row) => ({
        ...row,
        parent: units.get(row.unit)?.parent ?? null,
        level: units.get(row.unit)?.level ?? null,
      })),
      tallies: table.tallies,
      now: table.now,
      timeZone: table.timeZone,
    }
  })

/** The journal's length and the campaign's state: whether anything changed since `since`. */
export const campaignChange = (campaignId: string, actor: Actor, since?: number) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const seq = loaded.row.journal_seq
    const machine = yield* query("campaign.phase", (db) => selectCampaignMachineState(db, campaignId))
    return {
      campaign: campaignId,
      seq,
      status: loaded.row.status,
      phase: machine?.phase ?? null,
      changed: since === undefined || seq !== since,
    }
  })

/**
 * The journal's length and state of each named campaign that exists, in one
 * query. It authorizes nobody: it serves a live hub whose every stream was
 * authorized (`campaignChange`) when it opened.
 */
export const campaignHeads = (campaignIds: ReadonlyArray<string>) =>
  query("campaign.heads", (db) => selectCampaignHeads(db, campaignIds)).pipe(
    Effect.map((rows) =>
      rows.map((row) => ({ campaign: row.id, seq: row.journal_seq, status: row.status, phase: row.phase ?? null })),
    ),
  )

/**
 * What a live hub needs each interval, in one statement: the heads of the campaigns being
 * watched (as `campaignHeads`), and which of the streams' tokens still authenticate — not
 * revoked, not expired on the wall clock, their principal not disabled — so a revoked
 * token's streams end within an interval.
 */
export const liveHeads = (campaignIds: ReadonlyArray<string>, tokenIds: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    if (campaignIds.length === 0 && tokenIds.length === 0) return { heads: [], liveTokens: new Set<string>() }
    const now = yield* wallNow
    const rows = yield* query("live.heads", (db) => selectLiveHeads(db, campaignIds, tokenIds, now))
    return {
      heads: rows
        .filter((row) => row.kind === "campaign")
        .map((row) => ({ campaign: row.id, seq: Number(row.seq), status: row.status, phase: row.phase ?? null })),
      liveTokens: new Set(rows.filter((row) => row.kind === "token").map((row) => row.id)),
    }
  })
