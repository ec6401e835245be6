/**
 * The campaign read model's statements: which campaigns exist, a keyset page
 * of those a viewer may see (visibility decided in SQL), a campaign machine's
 * phase, and the journal heads live views poll.
 */
import type { CampaignRow } from "@liandong/store"
import { type SqlBool, sql } from "kysely"
import type { Sql } from "../Db.ts"

/** The ids of every campaign, or of `only` if it exists. */
export const selectCampaignIds = (db: Sql, only?: string): Promise<Array<{ id: string }>> => {
  const q = db.selectFrom("campaigns").select("id").orderBy("id")
  return (only === undefined ? q : q.where("id", "=", only)).execute()
}

/**
 * Whose campaigns a listing shows: all of them (operator, auditor), those a
 * coordinator's unit coordinates, those naming a unit among their units.
 */
export type CampaignViewer =
  | { readonly kind: "all" }
  | { readonly kind: "coordinator"; readonly unit: string }
  | { readonly kind: "member"; readonly unit: string }

/** A campaign as a listing shows it. */
export interface CampaignListRow {
  readonly id: string
  readonly title: string
  readonly title_en: string | null
  readonly status: CampaignRow["status"]
  readonly phase: string | null
  readonly version: number
  readonly units: number
  readonly started_at: Date | null
  readonly closed_at: Date | null
}

/** Up to `limit` campaigns the viewer may see with ids after `afterId`, by id. */
export const selectCampaignPage = (
  db: Sql,
  viewer: CampaignViewer,
  status: string | undefined,
  afterId: string | undefined,
  limit: number,
): Promise<CampaignListRow[]> => {
  let q = db
    .selectFrom("campaigns")
    .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
    .leftJoin("machines", (join) =>
      join.onRef("machines.campaign_id", "=", "campaigns.id").on("machines.kind", "=", "campaign"),
    )
    .select([
      "campaigns.id",
      "campaigns.status",
      "campaigns.started_at",
      "campaigns.closed_at",
      "definitions.version",
      "machines.phase",
    ])
    .select([
      sql<string>`definitions.body->>'title'`.as("title"),
      sql<string | null>`definitions.body->>'titleEn'`.as("title_en"),
      sql<number>`jsonb_array_length(definitions.body->'units')`.as("units"),
    ])
  if (viewer.kind === "coordinator") q = q.where(sql<SqlBool>`definitions.body->>'coordinator' = ${viewer.unit}`)
  if (viewer.kind === "member")
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("units")
          .select("units.key")
          .whereRef("units.campaign_id", "=", "campaigns.id")
          .where("units.key", "=", viewer.unit),
      ),
    )
  if (status !== undefined) q = q.where("campaigns.status", "=", status as CampaignRow["status"])
  if (afterId !== undefined) q = q.where("campaigns.id", ">", afterId)
  return q
    .orderBy("campaigns.id")
    .limit(limit)
    .execute()
    .then((rows) => rows.map((row) => ({ ...row, units: Number(row.units) })))
}

/** The version number of a definition. */
export const selectDefinitionVersion = (db: Sql, definitionId: string): Promise<number> =>
  db
    .selectFrom("definitions")
    .select("version")
    .where("id", "=", definitionId)
    .executeTakeFirstOrThrow()
    .then((row) => row.version)

/** The campaign machine's phase and status, or undefined before it exists. */
export const selectCampaignMachineState = (
  db: Sql,
  campaign: string,
): Promise<{ phase: string | null; status: string } | undefined> =>
  db
    .selectFrom("machines")
    .select(["phase", "status"])
    .where("campaign_id", "=", campaign)
    .where(sql<SqlBool>`kind = 'campaign'`)
    .executeTakeFirst()

/** The journal length, status and phase of each named campaign that exists. */
export const selectCampaignHeads = (
  db: Sql,
  campaignIds: ReadonlyArray<string>,
): Promise<Array<{ id: string; journal_seq: number; status: CampaignRow["status"]; phase: string | null }>> =>
  campaignIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("campaigns")
        .leftJoin("machines", (join) =>
          join.onRef("machines.campaign_id", "=", "campaigns.id").on("machines.kind", "=", "campaign"),
        )
        .select(["campaigns.id", "campaigns.journal_seq", "campaigns.status", "machines.phase"])
        .where("campaigns.id", "in", [...campaignIds])
        .execute()

/**
 * In one statement, the heads of the named campaigns and which of the named
 * tokens still authenticate at `now` (not revoked or expired, their principal enabled).
 */
export const selectLiveHeads = async (
  db: Sql,
  campaignIds: ReadonlyArray<string>,
  tokenIds: ReadonlyArray<string>,
  now: Date,
): Promise<Array<{ kind: string; id: string; seq: string | number; status: string; phase: string | null }>> => {
  const { rows } = await sql<{ kind: string; id: string; seq: string | number; status: string; phase: string | null }>`
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
       and p.disabled_at is null`.execute(db)
  return rows
}
