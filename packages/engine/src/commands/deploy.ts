/**
 * Deploys a campaign definition: validates it, records the version with its
 * content hash, writes its units (the campaign's own rows), and creates one
 * machine per participating unit plus the campaign's. A campaign not yet
 * started may be redeployed with a changed definition; a started one may not.
 * Only the operator or the coordinator of both the existing campaign and the
 * new definition may deploy over a campaign; a refusal is journaled in its chain.
 */
import type { Database } from "@liandong/store"
import { type Campaign, campaignHash, decodeCampaign, initial, unitView } from "@liandong/workflow"
import { Effect } from "effect"
import type { Transaction } from "kysely"
import type { Actor } from "../Actor.ts"
import { manages } from "../Authz.ts"
import { journalDenial } from "../audit/Denials.ts"
import { Clock } from "../Clock.ts"
import { query, transaction } from "../Db.ts"
import { compiledFor, type LoadedCampaign, loadCampaign } from "../Definitions.ts"
import { CampaignState, InvalidInput, NotAllowed } from "../Errors.ts"
import { appendJournal } from "../Journal.ts"
import { taskRow } from "../Step.ts"
import { chunks, writeUnits } from "./deployUnits.ts"

/** What a deployment reports back. */
export interface Deployed {
  readonly campaign: string
  readonly version: number
  readonly hash: string
  readonly units: number
  readonly unchanged: boolean
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

const campaignExists = (key: string) =>
  query("campaign.exists", (db) =>
    db.selectFrom("campaigns").select("id").where("id", "=", key).executeTakeFirst(),
  ).pipe(Effect.map((row) => row !== undefined))

/** The new definition names a coordinator the actor is not. */
const notNewCoordinator = (actor: Actor, definition: Campaign) =>
  new NotAllowed({
    actor: actor.id,
    action: "deploy",
    zh: `“${actor.id}”不是“${definition.coordinator}”的牵头人员,无权部署此活动`,
    en: `"${actor.id}" is not a coordinator of "${definition.coordinator}" and may not deploy this campaign`,
  })

/** The campaign exists and another office coordinates it. */
const notCampaignCoordinator = (actor: Actor, key: string) =>
  new NotAllowed({
    actor: actor.id,
    action: "deploy",
    zh: `“${actor.id}”不是活动“${key}”的牵头人员,无权重新部署`,
    en: `"${actor.id}" does not coordinate campaign "${key}" and may not redeploy it`,
  })

/**
 * Validates and deploys a definition. The operator, or a coordinator of the definition's
 * coordinating unit, may deploy a new campaign; over an existing one the actor must also
 * coordinate the campaign as it stands (its current definition's coordinator).
 */
export const deploy = (input: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const definition = yield* decodeCampaign(input).pipe(
      Effect.mapError((error) => new InvalidInput({ problems: error.problems })),
    )
    // A refused attempt on a campaign that exists goes into that campaign's chain.
    const journaled = journalDenial(definition.key, actor, "deploy", definition.key)
    if (!manages(actor, definition)) {
      const refused = Effect.fail(notNewCoordinator(actor, definition))
      return yield* (yield* campaignExists(definition.key)) ? journaled(refused) : refused
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
              // The campaign's row only: definitions are append-only and the app role may not lock them.
              .forUpdate(["campaigns"])
              .executeTakeFirst(),
          tx,
        )
        // Checked under the campaign's lock, so a concurrent redeploy cannot change its coordinator meanwhile.
        if (existing !== undefined && !manages(actor, (yield* loadCampaign(definition.key, tx)).definition)) {
          return yield* notCampaignCoordinator(actor, definition.key)
        }
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
        yield* writeUnits(tx, definition)
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
    ).pipe(journaled)
  })
