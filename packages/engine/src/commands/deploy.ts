/**
 * Deploys a campaign definition: validates it, records the version with its
 * content hash, registers its units in the directory, and creates one machine
 * per participating unit plus the campaign's. A campaign not yet started may
 * be redeployed with a changed definition; a started one may not.
 */
import type { Database } from "@liandong/store"
import { type Campaign, campaignHash, decodeCampaign, initial, unitView } from "@liandong/workflow"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import type { Actor } from "../Actor.ts"
import { manages } from "../Authz.ts"
import { Clock } from "../Clock.ts"
import { query, transaction } from "../Db.ts"
import { compiledFor, type LoadedCampaign } from "../Definitions.ts"
import { CampaignState, InvalidInput, NotAllowed } from "../Errors.ts"
import { appendJournal } from "../Journal.ts"
import { taskRow } from "../Step.ts"

/** What a deployment reports back. */
export interface Deployed {
  readonly campaign: string
  readonly version: number
  readonly hash: string
  readonly units: number
  readonly unchanged: boolean
}

/** Rows per multi-row insert: a national campaign has 50,000 units, each a row in several tables. */
const batchSize = 1000

const chunks = <A>(items: ReadonlyArray<A>): A[][] => {
  const out: A[][] = []
  for (let i = 0; i < items.length; i += batchSize) out.push(items.slice(i, i + batchSize))
  return out
}

const upsertUnits = (tx: Transaction<Database>, definition: Campaign) =>
  // Parents first, so the directory's foreign key always holds (checked at the end of each statement).
  Effect.forEach(
    chunks(topological(definition)),
    (batch) =>
      query(
        "units.upsert",
        (db) =>
          db
            .insertInto("units")
            .values(
              batch.map((unit) => ({
                key: unit.key,
                name: unit.name,
                name_en: unit.nameEn,
                parent_key: unit.parent,
                level: unit.level,
              })),
            )
            .onConflict((oc) =>
              oc.column("key").doUpdateSet((eb) => ({
                name: eb.ref("excluded.name"),
                name_en: eb.ref("excluded.name_en"),
                parent_key: eb.ref("excluded.parent_key"),
                level: eb.ref("excluded.level"),
              })),
            )
            .execute(),
        tx,
      ),
    { discard: true },
  )

const topological = (definition: Campaign) => {
  const byKey = new Map(definition.units.map((u) => [u.key, u]))
  const ordered: Campaign["units"][number][] = []
  const seen = new Set<string>()
  const visit = (key: string) => {
    const unit = byKey.get(key)
    if (unit === undefined || seen.has(key)) return
    seen.add(key)
    if (unit.parent !== null) visit(unit.parent)
    ordered.push(unit)
  }
  for (const unit of definition.units) visit(unit.key)
  return ordered
}

const createMachines = (tx: Transaction<Database>, loaded: LoadedCampaign, at: Date) =>
  Effect.gen(function* () {
    const campaignId = loaded.row.id
    const campaignStart = initial(loaded.compiled.campaignMachine())
    const [campaignRow] = yield* query(
      "machines.createCampaign",
      (db) =>
        db
          .insertInto("machines")
          .values({
            campaign_id: campaignId,
            kind: "campaign",
            unit_key: null,
            snapshot: JSON.stringify(campaignStart.snapshot),
            version: 1,
            machine_hash: loaded.hash,
            phase: null,
            status: "deployed",
            overdue: false,
            updated_at: at,
          })
          .returning("id")
          .execute(),
      tx,
    )
    const participants = [...new Set(loaded.definition.phases.flatMap((p) => p.participants))]
    for (const batch of chunks(participants)) {
      const started = batch.map((unit) => {
        const start = initial(loaded.compiled.unitMachine(unit))
        return { unit, snapshot: start.snapshot, view: unitView(loaded.definition, unit, start.snapshot) }
      })
      yield* query(
        "machines.createUnits",
        (db) =>
          db
            .insertInto("machines")
            .values(
              started.map(({ unit, snapshot, view }) => ({
                campaign_id: campaignId,
                kind: "unit" as const,
                unit_key: unit,
                snapshot: JSON.stringify(snapshot),
                version: 1,
                machine_hash: loaded.hash,
                phase: view.phase,
                status: view.status,
                overdue: false,
                updated_at: at,
              })),
            )
            .execute(),
        tx,
      )
      const tasks = started.flatMap(({ unit, view }) => view.tasks.map((t) => taskRow(campaignId, unit, t, at)))
      // A fresh campaign (or one whose rows were just cleared for a redeploy) has no task rows yet.
      for (const rows of chunks(tasks))
        yield* query("tasks.create", (db) => db.insertInto("tasks").values(rows).execute(), tx)
    }
    return {
      campaignMachine: campaignRow?.id as string,
      units: participants.length,
      campaignSnapshot: campaignStart.snapshot,
    }
  })

/** Validates and deploys a definition; the operator or the definition's coordinator may deploy. */
export const deploy = (input: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const definition = yield* decodeCampaign(input).pipe(
      Effect.mapError((error) => new InvalidInput({ problems: error.problems })),
    )
    if (!manages(actor, definition)) {
      return yield* new NotAllowed({
        actor: actor.id,
        action: "deploy",
        zh: `“${actor.id}”不是“${definition.coordinator}”的牵头人员,无权部署此活动`,
        en: `"${actor.id}" is not a coordinator of "${definition.coordinator}" and may not deploy this campaign`,
      })
    }
    const hash = campaignHash(definition)
    const at = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    return yield* transaction("deploy", (tx) =>
      Effect.gen(function* () {
        const existing = yield* query(
          "campaign.lockForDeploy",
          (db) =>
            db
              .selectFrom("campaigns")
              .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
              .select(["campaigns.status", "definitions.hash", "definitions.version"])
              .where("campaigns.id", "=", definition.key)
              .forUpdate()
              .executeTakeFirst(),
          tx,
        )
        if (existing !== undefined && existing.hash === hash) {
          return {
            campaign: definition.key,
            version: existing.version,
            hash,
            units: 0,
            unchanged: true,
          } satisfies Deployed
        }
        if (existing !== undefined && existing.status !== "deployed") {
          return yield* new CampaignState({
            campaign: definition.key,
            status: existing.status,
            zh: `活动“${definition.key}”已启动,不能重新部署;请使用新的活动标识`,
            en: `campaign "${definition.key}" has started and cannot be redeployed; use a new campaign key`,
          })
        }
        yield* upsertUnits(tx, definition)
        const version = (existing?.version ?? 0) + 1
        const [defRow] = yield* query(
          "definitions.insert",
          (db) =>
            db
              .insertInto("definitions")
              .values({ key: definition.key, version, hash, body: JSON.stringify(definition) })
              .returning("id")
              .execute(),
          tx,
        )
        const definitionId = defRow?.id as string
        if (existing === undefined) {
          yield* query(
            "campaigns.insert",
            (db) =>
              db
                .insertInto("campaigns")
                .values({ id: definition.key, definition_id: definitionId, status: "deployed", journal_head: null })
                .execute(),
            tx,
          )
        } else {
          // Redeploying before start: the old machines never ran, so they are replaced.
          yield* query(
            "campaign.clearForRedeploy",
            async (db) => {
              await db.deleteFrom("tasks").where("campaign_id", "=", definition.key).execute()
              await db.deleteFrom("timers").where("campaign_id", "=", definition.key).execute()
              await db.deleteFrom("messages").where("campaign_id", "=", definition.key).execute()
              await db.deleteFrom("machines").where("campaign_id", "=", definition.key).execute()
              await db
                .updateTable("campaigns")
                .set({ definition_id: definitionId })
                .where("id", "=", definition.key)
                .execute()
            },
            tx,
          )
        }
        const row = yield* query(
          "campaign.reload",
          (db) => db.selectFrom("campaigns").selectAll().where("id", "=", definition.key).executeTakeFirstOrThrow(),
          tx,
        )
        const loaded: LoadedCampaign = { row, definition, hash, compiled: compiledFor(hash, definition) }
        const created = yield* createMachines(tx, loaded, at)
        yield* appendJournal(tx, {
          campaignId: definition.key,
          machineId: created.campaignMachine,
          unit: null,
          actor,
          cause: "deploy",
          idempotencyKey: null,
          event: { type: "campaign.deployed", version, hash } as { type: string },
          before: null,
          after: "deployed",
          occurredAt: at,
        })
        return { campaign: definition.key, version, hash, units: created.units, unchanged: false } satisfies Deployed
      }),
    )
  })
