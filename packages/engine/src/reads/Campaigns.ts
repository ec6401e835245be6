/**
 * Campaigns as the API reads them: a page of the visible ones, one in
 * outline (limited to the units the actor may read), the status matrix with
 * the hierarchy, and the journal's length for live updates.
 */
import type { CampaignRow } from "@liandong/store"
import { Effect } from "effect"
import { sql } from "kysely"
import type { Actor } from "../Actor.ts"
import { readableUnits } from "../Authz.ts"
import { wallNow } from "../Clock.ts"
import { query } from "../Db.ts"
import { listCampaigns, statusTable, visibleCampaign } from "../Queries.ts"
import { decodeCursor, limitOf, type PageRequest, pageOf } from "./Page.ts"

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

/** A page of the campaigns the actor may see, by id, optionally of one status. */
export const pageCampaigns = (actor: Actor, filter: { status?: string | undefined }, page: PageRequest) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const after = yield* decodeCursor(page.cursor, 1)
    const rows = (yield* listCampaigns(actor))
      .filter((row) => filter.status === undefined || row.status === filter.status)
      .filter((row) => after === undefined || row.id > String(after[0]))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit + 1)
    return pageOf(
      rows,
      limit,
      (row) => [row.id],
      (row) => ({ ...row, startedAt: iso(row.startedAt), closedAt: iso(row.closedAt) }),
    )
  })

/** One campaign in outline: phases with their tasks, and the units the actor may read. */
export const campaignDetail = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const { definition, row } = loaded
    const readable = readableUnits(actor, definition)
    const status = yield* statusTable(campaignId, actor)
    const version = yield* query("campaign.version", (db) =>
      db.selectFrom("definitions").select("version").where("id", "=", row.definition_id).executeTakeFirstOrThrow(),
    )
    return {
      id: row.id,
      title: definition.title,
      titleEn: definition.titleEn,
      theme: definition.theme,
      status: row.status,
      phase: status.phase,
      version: version.version,
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
    }
  })

/** The journal's length and the campaign's state: whether anything changed since `since`. */
export const campaignChange = (campaignId: string, actor: Actor, since?: number) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const seq = loaded.row.journal_seq
    const machine = yield* query("campaign.phase", (db) =>
      db
        .selectFrom("machines")
        .select("phase")
        .where("campaign_id", "=", campaignId)
        .where("kind", "=", "campaign")
        .executeTakeFirst(),
    )
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
  campaignIds.length === 0
    ? Effect.succeed([])
    : query("campaign.heads", (db) =>
        db
          .selectFrom("campaigns")
          .leftJoin("machines", (join) =>
            join.onRef("machines.campaign_id", "=", "campaigns.id").on("machines.kind", "=", "campaign"),
          )
          .select(["campaigns.id", "campaigns.journal_seq", "campaigns.status", "machines.phase"])
          .where("campaigns.id", "in", campaignIds)
          .execute(),
      ).pipe(
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
    const { rows } = yield* query("live.heads", (db) =>
      sql<{ kind: string; id: string; seq: string | number; status: string; phase: string | null }>`
        select 'campaign' as kind, c.id, c.journal_seq as seq, c.status, m.phase
          from campaigns c
          left join machines m on m.campaign_id = c.id and m.kind = 'campaign'
         where c.id = any(${[...campaignIds]}::text[])
        union all
        select 'token' as kind, t.id, 0 as seq, '' as status, null as phase
          from tokens t join principals p on p.id = t.principal_id
         where t.id = any(${[...tokenIds]}::text[])
           and t.revoked_at is null
           and (t.expires_at is null or t.expires_at > ${now})
           and p.disabled_at is null`.execute(db),
    )
    return {
      heads: rows
        .filter((row) => row.kind === "campaign")
        .map((row) => ({ campaign: row.id, seq: Number(row.seq), status: row.status, phase: row.phase ?? null })),
      liveTokens: new Set(rows.filter((row) => row.kind === "token").map((row) => row.id)),
    }
  })
